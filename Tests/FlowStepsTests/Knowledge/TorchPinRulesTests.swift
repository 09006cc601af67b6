import Testing
@testable import FlowSteps

/// torch-triple, torch-python, cuda-index, cuda-build, torch-unpinned, torch-split-install, cpu-wheel.
@Suite struct TorchPinRulesTests {
    static let cu118 = "https://download.pytorch.org/whl/cu118"

    // MARK: torch-triple

    @Test func tripleFiresOnAVisionPinForAnotherTorchAndItsFixRepins() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM python:3.11-slim
            RUN pip install torch==2.2.1+cu118 torchvision==0.16.1+cu118 --extra-index-url \(Self.cu118)
            """)
        let found = sketch.findings("torch-triple")
        let finding = try #require(found.first)
        #expect(found.count == 1 && finding.severity == .error)
        #expect(finding.span.line == 2 && finding.span.column == 47)
        #expect(finding.message.contains("ResolutionImpossible") && finding.message.contains("torchvision==0.17.1+cu118"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.contains("torchvision==0.17.1+cu118 "))
        #expect(fixed.findings("torch-triple").isEmpty)
    }

    @Test func tripleFiresOnAnAudioPinInARequirementsFile() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.11-slim\n", requirements: [
            "requirements.txt": "torch==2.4.1\ntorchaudio==2.4.0\n",
        ])
        let finding = try #require(sketch.findings("torch-triple").first)
        #expect(finding.span.file == "requirements.txt" && finding.span.line == 2 && finding.span.column == 11)
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.requirements["requirements.txt"] == "torch==2.4.1\ntorchaudio==2.4.1\n")
        #expect(fixed.findings("torch-triple").isEmpty)
    }

    @Test func tripleFiresOnAClashingLocalVersion() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM python:3.11-slim
            RUN pip install torch==2.4.1+cu121 torchvision==0.19.1+cu118 -f https://download.pytorch.org/whl/torch_stable.html
            """)
        let finding = try #require(sketch.findings("torch-triple").first)
        #expect(finding.message.contains("requires torch==2.4.1+cu118"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.contains("torchvision==0.19.1+cu121"))
        #expect(fixed.findings("torch-triple").isEmpty)
    }

    @Test func tripleUsesTheStableABIForTorchaudioFrom211() throws {
        let good = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.13.0 torchvision==0.28.0 torchaudio==2.11.0\n")
        #expect(good.findings("torch-triple").isEmpty)
        let bad = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.13.0 torchaudio==2.10.0\n")
        let finding = try #require(bad.findings("torch-triple").first)
        #expect(finding.message.contains("stable ABI"))
        #expect(bad.applying(try #require(finding.fix)).findings("torch-triple").isEmpty)
    }

    @Test func tripleIsSilentOnAMatchingTripleAndOnUnknownReleases() {
        let good = TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.4.1 torchvision==0.19.1 torchaudio==2.4.1\n")
        #expect(good.findings("torch-triple").isEmpty)
        let unknown = TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==1.13.1 torchvision==0.14.0\n")
        #expect(unknown.findings("torch-triple").isEmpty)
    }

    @Test func tripleChecksPinsAgainstATorchThePyTorchBaseShips() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\nRUN pip install torchvision==0.19.0\n")
        let finding = try #require(sketch.findings("torch-triple").first)
        #expect(finding.span.line == 2)
        #expect(sketch.applying(try #require(finding.fix)).findings("torch-triple").isEmpty)
    }

    @Test func tripleOnATorchTheBaseShipsSaysPipReplacesIt() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM 763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.8.0-gpu-py312-cu129-ubuntu22.04-ec2\n",
                                      requirements: ["requirements.txt": "torchvision==0.22.1\n"])
        let finding = try #require(sketch.findings("torch-triple").first)
        #expect(finding.message.contains("torchvision 0.22.1 requires torch==2.7.1") && finding.message.contains("ships torch 2.8.0"))
        #expect(finding.message.contains("installs torch 2.7.1 from PyPI"))
        #expect(!finding.message.contains("pinned") && !finding.message.contains("ResolutionImpossible"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.requirements["requirements.txt"] == "torchvision==0.23.0\n")
        #expect(fixed.findings("torch-triple").isEmpty)
    }

    // MARK: torch-python

    @Test func pythonFiresWhenTheBasePythonHasNoWheel() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.1.2\n")
        let finding = try #require(sketch.findings("torch-python").first)
        #expect(finding.severity == .error && finding.span.line == 2 && finding.span.column == 22)
        #expect(finding.message.contains("Python 3.12") && finding.message.contains("3.8–3.11") && finding.message.contains("torch 2.4"))
        #expect(finding.message.contains("python:3.11-slim") || finding.message.contains("nvidia/cuda") || finding.message.contains("pytorch/pytorch"))
    }

    @Test func pythonOnAPythonImageSuggestsAPythonImage() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.1.2\n")
        let finding = try #require(sketch.findings("torch-python").first)
        #expect(finding.message.hasSuffix("Pin torch 2.4 or later, or use a base with a supported Python: python:3.11-slim."))
        // Any other base gets the recommendation, which may come without a Python of its own.
        let overridden = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.1.2\n", pythonOverride: "3.12")
        #expect(overridden.findings("torch-python").first?.message.contains("nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04") == true)
    }

    @Test func pythonIsSilentOnASupportedOrExperimentalPythonAndOnAGuessedPython() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.1.2\n").findings("torch-python").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.2.2\n").findings("torch-python").isEmpty)
        // Ubuntu 24.04's python3 is 3.12, but the image may install another Python: no error on a guess.
        #expect(TorchImageSketch(dockerfile: "FROM ubuntu:24.04\nRUN pip install torch==2.1.2 --break-system-packages\n").findings("torch-python").isEmpty)
    }

    // MARK: cuda-index

    @Test func cudaIndexLeavesALibraryPinThatTripleRepinsToTorchsBuild() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.11-slim\n", requirements: [
            "requirements.txt": "--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.4.1+cu121\ntorchvision==0.19.1+cu118\n",
        ])
        #expect(sketch.findings("cuda-index").isEmpty)
        let triple = try #require(sketch.findings("torch-triple").first)
        #expect(sketch.applying(try #require(triple.fix)).findings().filter { $0.severity == .error }.isEmpty)
        // torchaudio 2.11 works with any later torch (stable ABI): its own build still needs its index.
        let stable = TorchImageSketch(dockerfile: "FROM python:3.12-slim\n", requirements: [
            "requirements.txt": "--extra-index-url https://download.pytorch.org/whl/cu130\ntorch==2.12.0+cu130\ntorchaudio==2.11.0+cu126\n",
        ])
        #expect(stable.findings("torch-triple").isEmpty)
        #expect(stable.findings("cuda-index").map(\.span.line) == [3])
    }

    @Test func cudaIndexFiresInARequirementsFileAndItsFixAddsTheIndexLine() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.11-slim\n", requirements: [
            "requirements.txt": "torch==2.4.1+cu121\ntorchvision==0.19.1+cu121\n",
        ])
        let found = sketch.findings("cuda-index")
        let finding = try #require(found.first)
        #expect(found.count == 1, "one finding per file and CUDA")
        #expect(finding.severity == .error && finding.span.file == "requirements.txt" && finding.span.line == 1 && finding.span.column == 6)
        #expect(finding.message.contains("https://download.pytorch.org/whl/cu121") && finding.message.contains("No matching distribution"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.requirements["requirements.txt"]?.hasPrefix("--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==") == true)
        #expect(fixed.findings("cuda-index").isEmpty)
    }

    @Test func cudaIndexFiresOnARunLineAndItsFixExtendsThePipCommand() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install --no-cache-dir torch==2.4.1+cpu\n")
        let finding = try #require(sketch.findings("cuda-index").first)
        #expect(finding.span.line == 2 && finding.span.column == 37)
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.contains("RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu --no-cache-dir torch==2.4.1+cpu"))
        #expect(fixed.findings("cuda-index").isEmpty)
    }

    @Test func cudaIndexIsSilentWithTheIndexOrTheFindLinksPage() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.4.1+cu121 --index-url https://download.pytorch.org/whl/cu121\n").findings("cuda-index").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==1.10.2+cu113 -f https://download.pytorch.org/whl/cu113/torch_stable.html\n").findings("cuda-index").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.4.1\n").findings("cuda-index").isEmpty)
    }

    // MARK: cuda-build

    @Test func cudaBuildFiresOnABuildTheReleaseNeverHad() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.6.0+cu121 --index-url https://download.pytorch.org/whl/cu121\n")
        let finding = try #require(sketch.findings("cuda-build").first)
        #expect(finding.severity == .error && finding.span.line == 2 && finding.span.column == 22)
        #expect(finding.message.contains("cu118, cu124, cu126") && finding.message.contains("Use cu124"))
        let fromIndex = TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.6.0 --index-url https://download.pytorch.org/whl/cu121\n")
        let indexFinding = try #require(fromIndex.findings("cuda-build").first)
        #expect(indexFinding.span.column == 42, "points at the index URL")
    }

    @Test func cudaBuildIsSilentOnRealOtherAndUnconfirmedBuilds() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.6.0+cu124 --index-url https://download.pytorch.org/whl/cu124\n").findings("cuda-build").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.11.0+cu129 --index-url https://download.pytorch.org/whl/cu129\n").findings("cuda-build").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.13.0+cu129 --index-url https://download.pytorch.org/whl/cu129\n").findings("cuda-build").isEmpty)
    }

    // MARK: torch-unpinned

    @Test func unpinnedFiresOnABareTorch() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch torchvision\n")
        let found = sketch.findings("torch-unpinned")
        let finding = try #require(found.first)
        #expect(found.count == 1 && finding.severity == .warning && finding.span.line == 2 && finding.span.column == 17)
        #expect(finding.message.contains("whatever PyPI has that day"))
    }

    @Test func unpinnedIsSilentWithAVersionOrAnIndex() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.5.1\n").findings("torch-unpinned").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch>=2.4,<2.6\n").findings("torch-unpinned").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch --index-url https://download.pytorch.org/whl/cu126\n").findings("torch-unpinned").isEmpty)
    }

    // MARK: torch-split-install

    @Test func splitInstallFiresOnSeparatePipCommands() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM python:3.11-slim
            RUN pip install torch==2.4.1
            RUN pip install torchvision==0.19.1 && pip install torchaudio==2.4.1
            """)
        let found = sketch.findings("torch-split-install")
        #expect(found.count == 2)
        let first = try #require(found.first)
        #expect(first.severity == .warning && first.span.line == 3 && first.span.column == 17)
        #expect(first.message.contains("torchvision 0.19.1 requires torch==2.4.1, but you have torch 2.5.1"))
    }

    @Test func splitInstallIsSilentInOneCommand() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.11-slim\nRUN pip install torch==2.4.1 torchvision==0.19.1 torchaudio==2.4.1\n").findings("torch-split-install").isEmpty)
    }

    // MARK: cpu-wheel

    @Test func cpuWheelFiresOnAGPUBase() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
            RUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu
            """)
        let finding = try #require(sketch.findings("cpu-wheel").first)
        #expect(finding.severity == .warning && finding.span.line == 2 && finding.span.column == 22)
        #expect(finding.message.contains("Torch not compiled with CUDA enabled") && finding.message.contains("cu124"))
    }

    @Test func cpuWheelSuggestsACPUBaseWithWheelsForThatTorch() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04
            RUN pip install --break-system-packages torch==2.1.2+cpu --index-url https://download.pytorch.org/whl/cpu
            """)
        let finding = try #require(sketch.findings("cpu-wheel").first)
        // torch 2.1 has no wheels for Python 3.12 (Ubuntu 24.04's), so not python:3.12-slim.
        #expect(finding.message.hasSuffix("or use a CPU base such as python:3.11-slim."))
    }

    @Test func cpuWheelIsSilentOnACPUBase() {
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu\n").findings("cpu-wheel").isEmpty)
    }
}
