from ganforge.cli import entry

entry()
