"""Contacts: the customers a workspace talks to on WhatsApp."""
