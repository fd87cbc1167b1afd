"""Custom actions of the clinic's assistant (rasa-sdk action server)."""
