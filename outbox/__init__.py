"""Everything that reaches a person on the bot's initiative: chats, card messages, delivery."""
