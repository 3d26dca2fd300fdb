"""The Overview dashboard's figures and the dashboard's global search."""
