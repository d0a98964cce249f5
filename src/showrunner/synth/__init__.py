"""Real speech for tests, benchmarks and the demo: scripted conversations spoken by espeak-ng.

Nothing here fakes a transcript: it produces audio and the script's ground truth (who said
what, when), and the real engines are measured against it.
"""

from .disfluent import (
                        Disfluency,
                        DisfluentConversation,
                        disfluent_script,
                        plain_text,
                        speak_disfluent,
)
from .scripts import TOPICS, Line, Topic, interview_script, solo_script
from .speech import Conversation, Turn, Voice, default_cache_dir, speak

__all__ = ["TOPICS", "Conversation", "DisfluentConversation", "Disfluency", "disfluent_script",
           "plain_text", "speak_disfluent", "Line", "Topic", "Turn", "Voice", "default_cache_dir",
           "interview_script", "solo_script", "speak"]
