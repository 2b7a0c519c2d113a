"""Everything that reaches a person on the bot's initiative: chats, scheduled card messages, delivery."""
