"""The exit journey: the domain of exitbot. Plain Python, no framework imports."""
