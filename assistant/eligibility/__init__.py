"""Eligibility: programme records whose conditions are cited to the passages that state them, and a
deterministic matcher from an applicant's profile to the programmes that fit."""
