import Testing
@testable import FlowSteps
import FlowTestSupport

/// Mutated Dockerfiles, requirements, image references and versions: no crash, no hang, and every
/// finding and fix stays inside the text it points at.
@Suite struct KnowledgeFuzzTests {
    static let dockerfileLines = [
        "FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04",
        "FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS base",
        "FROM nvcr.io/nvidia/pytorch:25.03-py3",
        "FROM pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
        "FROM 763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.8.0-gpu-py312-cu129-ubuntu22.04-ec2",
        "FROM python:3.12-alpine",
        "FROM centos:7",
        "FROM --platform=linux/amd64 python:3.11-slim-bookworm",
        "ENV PIP_BREAK_SYSTEM_PACKAGES=1",
        "RUN pip install torch==2.5.1+cu124 torchvision==0.19.1 --extra-index-url https://download.pytorch.org/whl/cu124",
        "RUN apt-get update && apt-get install -y python3-pip && pip install torch",
        "RUN python3 -m pip install --no-cache-dir torch==2.6.0+cu121 --index-url=https://download.pytorch.org/whl/cu121",
        "RUN /opt/venv/bin/pip install torchaudio==2.10.0 torch==2.13.0",
        "RUN pip install --user torch==2.1.2+cpu -f https://download.pytorch.org/whl/torch_stable.html",
        "RUN pip install -r requirements.txt && pip install torchvision",
    ]

    static let requirementLines = [
        "torch==2.4.1+cu121", "torchvision==0.19.0+cu118", "torchaudio==2.4.1", "--extra-index-url https://download.pytorch.org/whl/cu118",
        "torch", "torch>=2.3,<2.5", "numpy==2.1.0", "# comment", "-i https://download.pytorch.org/whl/cpu", "torch===2.14.0",
    ]

    static let noise: [String] = ["\\", "\"", "'", "<<EOF", "-", "$", "${", "}", "=", "==", "+", "@", ":", "/", "\n", " ", "\t", "+cu", "🙂", "\u{0}"]

    @Test func mutatedImagesNeverCrashAndFindingsStayInside() {
        var random = SeededGenerator(seed: 0x5EED_1234)
        for _ in 0..<2000 {
            let dockerfile = Self.mutate(Self.pick(Self.dockerfileLines, count: 1 + random.below(5), &random), &random)
            let requirements = Self.mutate(Self.pick(Self.requirementLines, count: random.below(5), &random), &random)
            let sketch = TorchImageSketch(dockerfile: dockerfile, requirements: ["requirements.txt": requirements])
            for finding in sketch.findings() {
                guard let text = sketch.text(of: finding.span.file) else {
                    Issue.record("finding in unknown file \(finding.span.file)")
                    continue
                }
                let size = text.utf8.count
                #expect(finding.span.offset >= 0 && finding.span.offset + finding.span.length <= size, "\(finding.rule) outside \(finding.span.file)")
                #expect(finding.span.line >= 1 && finding.span.column >= 1)
                for edit in finding.fix?.edits ?? [] {
                    let editSize = sketch.text(of: edit.file)?.utf8.count ?? -1
                    #expect(edit.offset >= 0 && edit.offset + edit.length <= editSize, "\(finding.rule) fix outside \(edit.file)")
                }
            }
        }
    }

    @Test func mutatedReferencesAndVersionsNeverCrash() {
        var random = SeededGenerator(seed: 42)
        let references = Self.dockerfileLines.filter { $0.hasPrefix("FROM") }.map { String($0.dropFirst(5)) }
        for _ in 0..<3000 {
            let reference = Self.mutate(references[random.below(references.count)], &random)
            let facts = BaseImageFacts.parse(reference)
            #expect(facts.reference == reference)
            if let cuda = facts.cuda { #expect(cuda.major > 0) }
            let version = Self.mutate(["2.4.1+cu121", "2.4.0a0+3bcc3cd.nv24.07", "3.12", "12.4.1"][random.below(4)], &random)
            _ = StackVersion.parse(version)
            _ = CudaVersion.parseWheelTag(version)
            _ = PyTorchIndex.parse("https://download.pytorch.org/whl/" + version)
        }
    }

    static func pick(_ lines: [String], count: Int, _ random: inout SeededGenerator) -> String {
        (0..<count).map { _ in lines[random.below(lines.count)] }.joined(separator: "\n") + (random.below(2) == 0 ? "\n" : "")
    }

    /// Byte flips, deletions, duplications, splices of fixture lines and noise insertions.
    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + random.below(4)) {
            switch random.below(5) {
            case 0 where !bytes.isEmpty:
                let index = random.below(bytes.count)
                bytes[index] ^= UInt8(1 << random.below(8))
            case 1 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let end = min(bytes.count, start + 1 + random.below(12))
                bytes.removeSubrange(start..<end)
            case 2 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let end = min(bytes.count, start + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[start..<end], at: random.below(bytes.count + 1))
            case 3:
                let line = (dockerfileLines + requirementLines)[random.below(dockerfileLines.count + requirementLines.count)]
                bytes.insert(contentsOf: Array(line.utf8), at: random.below(bytes.count + 1))
            default:
                bytes.insert(contentsOf: Array(noise[random.below(noise.count)].utf8), at: random.below(bytes.count + 1))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
