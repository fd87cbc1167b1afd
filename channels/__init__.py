"""Input channels: Rasa's `rest` and `socketio`, with every incoming message checked first.

Rasa's own channels pass whatever arrives to the dialogue engine: a body that is
not a JSON object is a 500, a missing or non-text message is silently dropped, a
missing sender lands in a conversation shared by everyone ("default"), and a very
long message blocks the server for seconds (NLU cost grows with the square of the
length). These subclasses keep the names, URLs and socket.io events of Rasa's
channels and answer bad input with a clear 4xx (REST) or a short notice
(socket.io) instead. Registered in credentials.yml.
"""
