"""Tests of showrunner.split."""
