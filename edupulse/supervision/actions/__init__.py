"""State changes of supervision (督导): rounds and their scores."""

from edupulse.supervision.actions.rounds import create_round, publish_round, score_round

__all__ = ["create_round", "publish_round", "score_round"]
