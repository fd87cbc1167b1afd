"""The one place where this project changes how Rasa itself behaves at run time.

`action_client.ActionClientSettings` (named in config.yml) sets how long Rasa waits
for the action server and checks its answers with a cached validator. No other
module patches Rasa.
"""
