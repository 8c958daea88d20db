"""Narratives: what a network talks about (topics, languages, hashtags) and when."""

from infoops.narratives.timeline import WorkingTimezone, hour_weekday, working_timezone
from infoops.narratives.topics import Narratives, Topic, TopicModel, clean_text, network_narratives

__all__ = [
    "Narratives", "Topic", "TopicModel", "WorkingTimezone", "clean_text", "hour_weekday",
    "network_narratives", "working_timezone",
]
