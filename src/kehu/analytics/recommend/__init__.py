"""Next-best-product: what each customer is likely to buy next that it has not bought."""
