"""The harness: boot generated projects under a real server and check their pages."""
