"""Campaigns: an instrument version × quarter × audience, with invitations and response rates."""
