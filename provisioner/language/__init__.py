"""The scenario language's leaf vocabulary, shared by `kinds` and `scenario`: references and suggestions."""
