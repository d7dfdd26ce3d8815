"""The organiser's own registration questions and people's answers to them."""
