"""The `exitbot` command line: one module per command group, one shared start-up."""
