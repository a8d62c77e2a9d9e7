"""launch-audit: a Jupyter audit workbook for launching an ecommerce product with an AI chatbot safely."""

__version__ = "0.1.0"
