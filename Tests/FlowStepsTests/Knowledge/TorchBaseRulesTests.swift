import Testing
@testable import FlowSteps

/// base-cuda, glibc, torch-reinstalled, pep668, base-recommendation, and the descriptors.
@Suite struct TorchBaseRulesTests {
    static let cu124 = "https://download.pytorch.org/whl/cu124"

    @Test func descriptorsCoverEveryRuleOnceWithItsSeverity() {
        let ids = TorchRules.descriptors.map(\.id)
        #expect(Set(ids).count == ids.count && ids.count == 12)
        #expect(TorchRules.descriptor("torch-triple")?.severity == .error)
        #expect(TorchRules.descriptor("torch-split-install")?.severity == .warning)
        #expect(TorchRules.descriptor("base-recommendation")?.severity == .note)
        #expect(TorchRules.descriptors.allSatisfy { !$0.summary.isEmpty })
    }

    // MARK: base-cuda

    @Test func baseCudaFiresWhenTheBaseIsOlderAndItsFixSwapsTheBase() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
            RUN pip install torch==2.5.1+cu124 --extra-index-url \(Self.cu124)
            """)
        let finding = try #require(sketch.findings("base-cuda").first)
        #expect(finding.severity == .error && finding.span.line == 1 && finding.span.column == 6)
        #expect(finding.message.contains("CUDA 12.4") && finding.message.contains("CUDA 11.8") && finding.message.contains("insufficient"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.hasPrefix("FROM pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\n"))
        #expect(fixed.findings("base-cuda").isEmpty)
    }

    @Test func baseCudaFiresOnAnOlder12MinorFromAVerifiedPyPIDefault() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\nRUN pip install torch==2.5.1\n")
        let finding = try #require(sketch.findings("base-cuda").first)
        #expect(finding.message.contains("the PyPI wheel's CUDA"))
        #expect(sketch.applying(try #require(finding.fix)).findings("base-cuda").isEmpty)
    }

    @Test func baseCudaIsSilentOnANewerOrEqualBaseAndOnUnverifiedDefaults() {
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\nRUN pip install torch==2.5.1+cu124 --index-url \(Self.cu124)\n").findings("base-cuda").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04\nRUN pip install torch==2.5.1+cu124 --index-url \(Self.cu124)\n").findings("base-cuda").isEmpty)
        // torch 2.6's PyPI CUDA was not confirmed: no error built on it.
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04\nRUN pip install torch==2.6.0\n").findings("base-cuda").isEmpty)
        // NGC 24.06's CUDA was not confirmed either.
        #expect(TorchImageSketch(dockerfile: "FROM nvcr.io/nvidia/pytorch:24.06-py3\nRUN pip install torch==2.8.0+cu128 --index-url https://download.pytorch.org/whl/cu128\n").findings("base-cuda").isEmpty)
    }

    // MARK: glibc

    @Test func glibcFiresForTorch26OnCentOS7AndOnMusl() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM centos:7\nRUN pip3 install torch==2.6.0\n")
        let finding = try #require(sketch.findings("glibc").first)
        #expect(finding.severity == .error && finding.span.line == 1 && finding.span.column == 6)
        #expect(finding.message.contains("glibc 2.28") && finding.message.contains("2.17") && finding.message.contains("GLIBC_2.28"))
        #expect(finding.message.contains("pin torch 2.5"))
        let unpinned = TorchImageSketch(dockerfile: "FROM amazonlinux:2\nRUN pip3 install torch\n")
        #expect(unpinned.findings("glibc").count == 1)
        let alpine = TorchImageSketch(dockerfile: "FROM python:3.12-alpine\nRUN pip install torch==2.5.1\n")
        #expect(alpine.findings("glibc").first?.message.contains("musl") == true)
    }

    @Test func glibcIsSilentForOlderTorchOrANewerOS() {
        #expect(TorchImageSketch(dockerfile: "FROM centos:7\nRUN pip3 install torch==2.5.1\n").findings("glibc").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM rockylinux:8\nRUN pip3 install torch==2.6.0\n").findings("glibc").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM ubuntu:20.04\nRUN pip3 install torch==2.9.0\n").findings("glibc").isEmpty)
    }

    // MARK: torch-reinstalled

    @Test func reinstalledFiresOnNGCAndItsFixRemovesTheRequirement() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM nvcr.io/nvidia/pytorch:25.03-py3
            RUN pip install torch==2.7.0 transformers
            """)
        let finding = try #require(sketch.findings("torch-reinstalled").first)
        #expect(finding.severity == .warning && finding.span.line == 2 && finding.span.column == 17)
        #expect(finding.message.contains("2.7.0a0+7c8ec84dab") && finding.message.contains("/etc/pip/constraint.txt"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.hasSuffix("RUN pip install transformers"))
        #expect(fixed.findings("torch-reinstalled").isEmpty)
    }

    @Test func reinstalledFixRemovesARequirementsLine() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime\n", requirements: [
            "requirements.txt": "numpy==2.1.0\ntorch==2.7.1\nscipy\n",
        ])
        let finding = try #require(sketch.findings("torch-reinstalled").first)
        #expect(finding.span.file == "requirements.txt" && finding.span.line == 2)
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.requirements["requirements.txt"] == "numpy==2.1.0\nscipy\n")
        #expect(fixed.findings("torch-reinstalled").isEmpty)
    }

    @Test func reinstalledIsSilentOnABaseWithoutTorch() {
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04\nRUN pip install torch==2.7.1\n").findings("torch-reinstalled").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM nvcr.io/nvidia/pytorch:25.03-py3\nRUN pip install transformers\n").findings("torch-reinstalled").isEmpty)
    }

    // MARK: pep668

    @Test func pep668FiresOnUbuntu2404SystemPipAndItsFixBreaksSystemPackages() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
            RUN apt-get update && apt-get install -y python3-pip && pip install torch==2.7.1
            """)
        let finding = try #require(sketch.findings("pep668").first)
        #expect(finding.severity == .error && finding.span.line == 2 && finding.span.column == 57)
        #expect(finding.message.contains("externally-managed-environment") && finding.message.contains("venv"))
        let fixed = sketch.applying(try #require(finding.fix))
        #expect(fixed.dockerfile.hasSuffix("pip install --break-system-packages torch==2.7.1"))
        #expect(fixed.findings("pep668").isEmpty)
    }

    @Test func pep668IsSilentOnUbuntu2204AVenvOrTheEnvironmentVariable() {
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04\nRUN pip install torch==2.7.1\n").findings("pep668").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM ubuntu:24.04\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch==2.7.1\n").findings("pep668").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM debian:bookworm\nENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN pip install torch==2.7.1\n").findings("pep668").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim-bookworm\nRUN pip install torch==2.7.1\n").findings("pep668").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM ubuntu:24.04\nRUN pip install --user torch==2.7.1\n").findings("pep668").isEmpty)
    }

    // MARK: base-recommendation

    @Test func recommendationNotesTheBaseForTheStack() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM python:3.11-slim
            RUN pip install torch==2.5.1+cu124 --extra-index-url \(Self.cu124)
            """)
        let found = sketch.findings("base-recommendation")
        let finding = try #require(found.first)
        #expect(found.count == 1 && finding.severity == .note && finding.span.line == 1 && finding.span.column == 6)
        #expect(finding.message.contains("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"))
        #expect(finding.fix == nil)
    }

    @Test func recommendationIsSilentWhenTheBaseIsTheRecommendationOrTorchComesFromTheBase() {
        #expect(TorchImageSketch(dockerfile: "FROM docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\nRUN pip install torch==2.5.1+cu124 --index-url \(Self.cu124)\n").findings("base-recommendation").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM nvcr.io/nvidia/pytorch:24.05-py3\nRUN pip install transformers\n").findings("base-recommendation").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu\n").findings("base-recommendation").isEmpty)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim\nRUN pip install numpy\n").findings().isEmpty)
    }

    @Test func recommendationIsSilentWhenTheBaseIsTheSameKindInAnotherSpelling() {
        // Same Python, another Debian variant.
        #expect(TorchImageSketch(dockerfile: "FROM python:3.12-slim-bookworm\nRUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu\n").findings("base-recommendation").isEmpty)
        // The CUDA 12.6 runtime on Ubuntu 24.04 rather than 22.04 (its python3 is the 3.12 the stack wants).
        let noble = "FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04\nRUN /opt/venv/bin/pip install torch==2.8.0+cu126 --index-url https://download.pytorch.org/whl/cu126\n"
        #expect(TorchImageSketch(dockerfile: noble).findings("base-recommendation").isEmpty)
        // An AWS DLC with the wheel's CUDA.
        #expect(TorchImageSketch(dockerfile: """
            FROM 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.9.0-gpu-py312-cu130-ubuntu22.04-sagemaker
            RUN pip install torch==2.9.1 --index-url https://download.pytorch.org/whl/cu130
            """).findings("base-recommendation").isEmpty)
        // A devel image, another CUDA, or another Python is worth the note.
        #expect(TorchImageSketch(dockerfile: noble.replacingOccurrences(of: "-runtime-", with: "-devel-")).findings("base-recommendation").count == 1)
        #expect(TorchImageSketch(dockerfile: "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04\nRUN /opt/venv/bin/pip install torch==2.8.0+cu126 --index-url https://download.pytorch.org/whl/cu126\n").findings("base-recommendation").count == 1)
        #expect(TorchImageSketch(dockerfile: "FROM python:3.10-slim\nRUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu\n", pythonOverride: "3.12").findings("base-recommendation").count == 1)
    }

    @Test func aCleanImageHasNoFindings() {
        let sketch = TorchImageSketch(dockerfile: """
            FROM pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime
            RUN pip install --no-cache-dir transformers==4.57.1 datasets==4.3.0
            """)
        #expect(sketch.findings().isEmpty)
    }
}
