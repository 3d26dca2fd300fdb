"""Broadcast campaigns: audience, content, the paced durable sender, delivery tracking."""
