"""What the HTTP API answers, for /openapi.json (the answers themselves are built by
digits.answering, the same as digits-predict --json)."""
from typing import Literal

from pydantic import BaseModel, Field

Reason = Literal["not sure", "not a digit"]


class Candidate(BaseModel):
    digit: int
    probability: float


class Answer(BaseModel):
    digit: int | None = Field(description="the digit, 0-9; null when no digit is answered "
                                          "(see reason)")
    reason: Reason | None = Field(None, description="why no digit is answered (absent when "
                                                    "one is)")
    candidates: list[Candidate] | None = Field(
        None, description="when not sure: the two likeliest digits and their probabilities")
    confidence: float = Field(description="the calibrated probability of the likeliest digit")
    probabilities: list[float] = Field(description="the calibrated probability of each digit, "
                                                   "0 to 9")
    not_a_digit: float = Field(description="the probability that this shows no digit")
    image: list[list[int]] = Field(description="the 28x28 image the model saw: rows of 0-255")


class Place(Answer):
    box: list[int] = Field(description="where the digit is: [left, top, right, bottom] in the "
                                       "image's pixels")


class Prediction(BaseModel):
    number: str | None = Field(description="the digits read, left to right, with ? where a "
                                           "place is not sure; null if the ink is not a number")
    digits: list[Place] = Field(description="one answer per place, left to right")
    digit: int | None = Field(None, description="a one-digit image: its digit (null when not "
                                                "sure or not a digit); absent for a number")
    reason: Reason | None = Field(None, description="why no digit is answered")
    candidates: list[Candidate] | None = Field(None, description="a one-digit image not sure: "
                                                                 "the two likeliest digits")
    confidence: float | None = Field(None, description="a one-digit image: its confidence")
    probabilities: list[float] | None = Field(None, description="a one-digit image: the "
                                                                "probability of each digit")
    not_a_digit: float | None = Field(None, description="a one-digit image: the probability "
                                                        "that it shows no digit")
    image: list[list[int]] | None = Field(None, description="a one-digit image: the 28x28 "
                                                            "image the model saw")


class Health(BaseModel):
    status: str
    model: str = Field(description="the model's name: cnn (the convnet) or mlp")
    file: str = Field(description="the model file")
    sha256: str = Field(description="the model file's SHA-256")


class Error(BaseModel):
    error: str = Field(description="what is wrong with the request")
