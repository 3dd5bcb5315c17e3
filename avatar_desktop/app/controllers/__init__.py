"""Controllers: the conversation, the brain, the ears, recovery and the services."""
