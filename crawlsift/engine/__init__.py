"""Engines run a pipeline over read tasks: ``local`` (this machine) is the default."""
