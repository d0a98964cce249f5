"""Tests of showrunner.feed."""
