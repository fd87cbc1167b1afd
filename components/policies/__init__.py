"""Our dialogue policies: safety first (emergency reply, safety notice), then the
answer-service apology when the action server fails."""
