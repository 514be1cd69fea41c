/// Hand-written YAML-lite documents that must parse to exactly what PyYAML's `safe_load` gives:
/// realistic pipeline files first, then one edge case per document.
enum ValidDocuments {
    static let pipelines: [String] = [
        #"""
        # Two recorded cameras, supplied MOT detections.
        name: lobby
        cameras:
          - id: cam1
            url: Samples/data/vtest.avi
            detections: Samples/data/cam1/det.txt
          - id: cam2
            url: Samples/data/cam2.mp4
            detections: Samples/data/cam2/det.jsonl
        reid:
          weights: Weights/pfsa.safetensors
          input_size: [384, 128]
          batch_size: 8
        tracker:
          max_age: 30
          min_hits: 3
          iou_threshold: 0.3
        events: out/events.jsonl
        """#,
        #"""
        name: "synth 4cam"   # quoted because of the space? not needed, but allowed
        cameras:
        - id: north
          url: rtsp://10.0.0.5:554/stream1
          fps: 25
        - id: south
          url: rtsp://10.0.0.6:554/stream1
          fps: 12.5
        association:
          threshold: .55
          margin: 0.05
          transit_seconds: [2, 120]
        """#,
        #"""
        run:
          checkpoint: out/ckpt.json
          resume: yes
          metrics: "127.0.0.1:9100"
          on_bad_detection_line: skip
        cameras: []
        """#,
        #"""
        cameras:
          - id: 'entrance'
            url: "file:///data/entrance.mkv"
            live: false
            detections:
              path: det/entrance.jsonl
              key: pts
              follow: true
          - id: exit
            url: /data/exit.mkv
            live: No
            detections: {}
        """#,
        #"""
        reid:
          backbone: mobilenetv2
          pfsa: on
          embedding_dim: 512
          normalize: True
          mean: [0.485, 0.456, 0.406]
          std: [0.229, 0.224, 0.225]
        """#,
        #"""
        tracker:
          kalman:
            process_noise: 1.0e-2
            measurement_noise: 1.0e+1
          gating: 9.4877
          max_age: 0x1E
          lost_ttl: 1_000
        """#,
        #"""
        version: 1
        description: Lobby and corridor, daytime footage from 2014
        owner: ops-team@example.com
        tags: [lobby, corridor, daytime]
        notes: ~
        """#,
        #"""
        outputs:
          events: out/events.jsonl
          annotated_video: out/annotated.mp4
          summary:
          metrics: null
        progress: auto
        """#,
        #"""
        cameras:
          -
            id: a
            url: a.avi
          -
            id: b
            url: b.avi
        """#,
        #"""
        calibrate:
          ground_truth: Samples/data/gt
          grid:
            threshold: [0.3, 0.4, 0.5, 0.6]
            margin: [0.0, 0.02, 0.05]
          objective: idf1
        """#,
        #"""
        # Windows paths and URLs with query strings stay strings.
        cameras:
          - url: C:\footage\cam1.avi
            detections: 'D:\dets\cam1.txt'
          - url: https://example.com/stream?token=abc&camera=2#frag
        """#,
        #"""
        limits:
          queue_capacity: 64
          max_cameras: 16
          memory_mb: 2048
          timeout_seconds: 2.5
          retries: -1
        """#,
        #"""
        bench:
          models:
            - name: resnet50
              input: [256, 128]
              batch: [1, 8, 32]
            - name: mobilenetv2
              input: [256, 128]
              batch: [1, 8]
          warmup: 3
          repeats: 10
        """#,
        #"""
        cameras:
        - id: c1
          zones:
          - name: door
            polygon: [10, 20, 30, 40]
          - name: desk
            polygon: [50, 60, 70, 80]
        - id: c2
          zones: []
        """#,
        #"""
        - id: 1st camera
          url: one.avi
        - id: 2nd camera
          url: two.avi
        """#,
    ]

    static let edgeCases: [String] = [
        // Empty documents and bare scalars.
        "",
        "\n\n",
        "# only a comment\n",
        "~",
        "null",
        "hello",
        "'quoted root'",
        "42",
        "[1, 2, 3]",
        "- a\n- b\n",
        // Null spellings.
        "a:\nb: ~\nc: null\nd: Null\ne: NULL\n",
        "- \n-\n- ~\n",
        // Booleans in their cases, and near misses that stay strings.
        "a: yes\nb: Yes\nc: YES\nd: no\ne: No\nf: NO\n",
        "a: on\nb: On\nc: ON\nd: off\ne: Off\nf: OFF\n",
        "a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\n",
        "a: yEs\nb: tRUE\nc: y\nd: n\ne: Y\nf: oN\n",
        // Integers.
        "a: 0\nb: -0\nc: +5\nd: -17\ne: 1_000\nf: 1__0\n",
        "a: 0x1F\nb: -0x1f\nc: 0xDEAD_BEEF\nd: 0b101\ne: -0b1_0\nf: 0_\n",
        "a: 012\nb: 0777\nc: 00\nd: 09\ne: 0o17\nf: 08\n",
        "a: 9223372036854775807\nb: -9223372036854775808\n",
        // Floats, and number-like strings PyYAML keeps as text.
        "a: 1.0\nb: -0.5\nc: .5\nd: 5.\ne: 0.\nf: 1_000.5_\n",
        "a: 1e3\nb: 1.0e3\nc: 1.0e+3\nd: 1.e+3\ne: 1.5E-2\nf: .5e+1\n",
        "a: .inf\nb: -.inf\nc: +.inf\nd: .Inf\ne: -.INF\nf: .nan\ng: .NaN\nh: .NAN\n",
        "a: -.nan\nb: +.5\nc: .\nd: 1.2.3\ne: 1,5\nf: 1e\n",
        "a: 1.7976931348623157e+308\nb: 4.9e-324\nc: 2.2250738585072014e-308\nd: 0.1\n",
        "a: 1.0e+400\nb: -1.0e+400\n",
        // Plain scalars with indicator characters inside.
        "a: x#y\nb: x # comment\nc: a:b\nd: -a\ne: :a\nf: ?a\n",
        "a: x,y\nb: x]\nc: x{y}\nd: x[0]\ne: 100%\nf: a@b\n",
        "url: rtsp://user:pass@host:554/path?x=1\n",
        "a: ---\nb: ...\nc: ---x\n",
        "time: 12:60\nratio: 1:60\n",
        "a: =x\nb: <<x\nc: x<<\n",
        // Comments.
        "# head\na: 1 # one\n\n  # indented comment\nb: 2   #two\n# tail",
        "a:   # nothing here\nb: 'x' # after quotes\nc: \"y\"  # after double quotes\n",
        "a: [1, 2] # after a flow list\n",
        "- x # first\n# between\n- y\n",
        // Single quotes.
        "a: 'it''s'\nb: ''\nc: ''''\nd: 'a \\ b'\ne: '  padded  '\n",
        "a: 'yes'\nb: '1.0'\nc: '~'\nd: '# not a comment'\ne: 'a: b'\n",
        "a: 'x\ty'\n",
        // Double quotes and escapes.
        #"a: "\t\u00e9""#,
        #"a: "\x41\u00e9\U0001F600""#,
        #"a: "\0\a\b\v\f\r\e\ \"\\\/""#,
        #"a: "\N\_\L\P""#,
        #"a: "line1\nline2""#,
        #"a: "tab\there""#,
        "a: \"\"\nb: \"'\"\nc: \"x # y\"\n",
        // Keys.
        "key with spaces: 1\n'quoted key': 2\n\"double key\": 3\n",
        "'1': one\n'yes': two\n'~': three\n'0x10': four\n",
        "a-b: 1\na_b: 2\na.b: 3\nA: 4\n",
        "key : spaced colon\nother:    many spaces\n",
        "k:v: 1\n",
        "-a: 1\n?b: 2\n:c: 3\n",
        "名前: カメラ\nclé: valeur\n",
        "a\u{00A0}b: nbsp\n",
        // Nesting.
        "a:\n  b:\n    c:\n      d: deep\n",
        "a:\n    b: 4 spaces\n    c:\n     d: 5 spaces\n",
        "a:\n- 1\n- 2\nb:\n  - 3\n  - 4\n",
        "- - a\n  - b\n- - c\n",
        "- - - x\n",
        "- a: 1\n  b: 2\n- c: 3\n",
        "-   a: 1\n    b: 2\n",
        "- a:\n    b: 1\n",
        "- a:\n  - x\n  - y\n",
        "a:\n  - b: 1\n    c:\n    - 2\n    - 3\n",
        "seq:\n-\n  - inner\n",
        "  a: 1\n  b: 2\n",
        "  - x\n  - y\n",
        "a:\n\n\n  b: 1\n\n",
        "a: {}\nb: []\nc: [ ]\n",
        // Flow sequences.
        "a: [1, 'two', \"three\", 4.0, yes, ~, null]\n",
        "a: [a b, c d]\nb: [a:b]\nc: [-a, x]\n",
        "a: [1, 2,]\n",
        "a: [  1  ,2]\n",
        "a: ['a, b', \"c]\"]\n",
        "a: [x#y, z]\n",
        "a: [0x10, 010, 1_0, .5, -.inf]\n",
        "- [1, 2]\n- [3]\n",
        // Unicode.
        "emoji: 😀\nmixed: Zürich — Genève\n",
        "\u{FEFF}a: bom\n",
        // Line endings.
        "a: 1\r\nb: 2\r\n",
        "a:\r\n  - x\r\n  - y\r\n",
        // Values that look like syntax but are not at a node start.
        "a: b - c\nd: e | f\ng: h > i\nj: k & l\nm: n * o\n",
        "a: b!c\nd: e&f\ng: h*i\n",
        "a: x %y\nb: x @y\nc: x `y\n",
        "a: 'x' \n",
        "a: trailing spaces   \n",
        "a: 1\nb:\n  - null\n  - ''\n",
        "a: -1_000_000\nb: +0x_1\n",
    ]

    /// Every hand-written valid document.
    static var all: [String] { pipelines + edgeCases }
}
