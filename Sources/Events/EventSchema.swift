/// The JSON Schema (draft 2020-12) of schema version 1 of the events file, one object per line.
public enum EventSchema {
    /// The schema as JSON text, as `panoptes tail --schema` prints it.
    ///
    /// `EventType.requiredKeys` states the per-type `required` lists again for the writer's own
    /// check; `EventSchemaTests` holds the two equal, and a Python `jsonschema` peer validates lines
    /// against this text.
    public static let json = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "urn:panoptes:events:v1",
  "title": "Panoptes identity event, schema version 1",
  "description": "One line of an events file (JSONL): one object per line, written with a single append.",
  "type": "object",
  "required": [
    "v",
    "seq",
    "type",
    "time"
  ],
  "properties": {
    "v": {
      "description": "Schema version.",
      "const": 1
    },
    "seq": {
      "description": "Position in the log: 1 for the first event, rising by 1.",
      "type": "integer",
      "minimum": 1
    },
    "type": {
      "description": "What happened.",
      "enum": [
        "run_started",
        "run_finished",
        "run_resumed",
        "track_started",
        "identity_assigned",
        "identity_matched",
        "identity_corrected",
        "track_ended",
        "camera_error",
        "camera_down",
        "camera_up"
      ]
    },
    "time": {
      "description": "Media seconds (for live cameras: seconds since the run started).",
      "type": "number"
    },
    "camera": {
      "description": "The camera the event happened in.",
      "type": "string",
      "minLength": 1
    },
    "frame": {
      "description": "0-based decode index of the frame.",
      "type": "integer",
      "minimum": 0
    },
    "track": {
      "description": "Track id within the camera.",
      "type": "integer"
    },
    "identity": {
      "description": "Global identity.",
      "type": "integer"
    },
    "bbox": {
      "description": "The track's box in this frame, [x, y, w, h] in pixels.",
      "type": "array",
      "items": {
        "type": "number"
      },
      "minItems": 4,
      "maxItems": 4
    },
    "score": {
      "description": "Detection score.",
      "type": "number"
    },
    "similarity": {
      "description": "Cosine similarity of the evidence.",
      "type": "number"
    },
    "margin": {
      "description": "Lead of the chosen identity over the runner-up.",
      "type": "number"
    },
    "from_camera": {
      "description": "The camera the identity was last seen in.",
      "type": "string",
      "minLength": 1
    },
    "gap": {
      "description": "Seconds without coverage: transit time of a match, outage of camera_up.",
      "type": "number"
    },
    "previous_identity": {
      "description": "The identity a correction retracted.",
      "type": "integer"
    },
    "reason": {
      "description": "Why, in words.",
      "type": "string"
    },
    "wall_time": {
      "description": "When a live camera saw it, RFC 3339 in UTC.",
      "type": "string",
      "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"
    },
    "last_time": {
      "description": "Media time of the camera's last frame before it went down.",
      "type": "number"
    },
    "message": {
      "description": "A camera error's text.",
      "type": "string"
    },
    "pipeline": {
      "description": "The pipeline file the run came from.",
      "type": "string"
    },
    "cameras": {
      "description": "The run's cameras.",
      "type": "array",
      "items": {
        "type": "string",
        "minLength": 1
      },
      "minItems": 1
    }
  },
  "additionalProperties": false,
  "allOf": [
    {
      "if": {
        "properties": {
          "type": {
            "const": "run_started"
          }
        }
      },
      "then": {
        "required": [
          "cameras"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "run_finished"
          }
        }
      },
      "then": {
        "required": [
          "reason"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "track_started"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "frame",
          "track",
          "bbox"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "identity_assigned"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "frame",
          "track",
          "bbox",
          "identity"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "identity_matched"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "frame",
          "track",
          "bbox",
          "identity",
          "similarity"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "identity_corrected"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "frame",
          "track",
          "bbox",
          "identity",
          "previous_identity",
          "reason"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "track_ended"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "frame",
          "track",
          "bbox"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "camera_error"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "message"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "camera_down"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "reason",
          "last_time"
        ]
      }
    },
    {
      "if": {
        "properties": {
          "type": {
            "const": "camera_up"
          }
        }
      },
      "then": {
        "required": [
          "camera",
          "gap"
        ]
      }
    }
  ]
}
"""#
}
