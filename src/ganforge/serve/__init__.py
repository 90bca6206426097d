"""`ganforge serve`: a local web page and JSON API around one trained generator.

Nothing is imported here, so that `import ganforge.serve` stays cheap; the FastAPI app lives
in `ganforge.serve.app`, the model side in `ganforge.serve.service`.
"""
