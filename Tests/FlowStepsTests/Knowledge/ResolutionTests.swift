import Testing
@testable import FlowSteps

@Suite struct ResolutionTests {
    @Test func torchAndCudaFromALocalVersionPin() throws {
        let sketch = TorchImageSketch(dockerfile: """
            FROM python:3.11-slim
            RUN pip install --index-url https://download.pytorch.org/whl/cu121 torch==2.4.1+cu121
            """)
        let stack = ResolvedStack.resolve(sketch.facts())
        #expect(stack.torch?.value.text == "2.4.1+cu121")
        guard case .pin = try #require(stack.torch).source else { Issue.record("torch source"); return }
        #expect(stack.cuda?.value == CudaVersion(major: 12, minor: 1))
        guard case .localVersion = try #require(stack.cuda).source else { Issue.record("cuda source"); return }
        #expect(stack.python?.value == StackVersion([3, 11]))
        guard case .baseImage = try #require(stack.python).source else { Issue.record("python source"); return }
    }

    @Test func cudaFromTheIndexWhenThePinHasNoLocalVersion() throws {
        let sketch = TorchImageSketch(dockerfile: "FROM ubuntu:22.04\n", requirements: [
            "requirements.txt": "--extra-index-url https://download.pytorch.org/whl/cu118\ntorch==2.3.1\n",
        ])
        let stack = ResolvedStack.resolve(sketch.facts())
        #expect(stack.cuda?.value == CudaVersion(major: 11, minor: 8))
        guard case .index(let span) = try #require(stack.cuda).source else { Issue.record("cuda source"); return }
        #expect(span.file == "requirements.txt" && span.line == 1)
        #expect(stack.python?.value == StackVersion([3, 10]))
        guard case .osPython = try #require(stack.python).source else { Issue.record("python source"); return }
    }

    @Test func cudaFromTheBaseImageElseThePyPIDefault() {
        let onCuda = ResolvedStack.resolve(TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
            RUN pip install torch==2.7.1
            """).facts())
        #expect(onCuda.cuda?.value == CudaVersion(major: 12, minor: 6))
        #expect(onCuda.cuda?.source == .baseImage(TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04
            """).facts().baseImage?.span ?? SourceSpan(file: "", line: 0, column: 0, offset: 0, length: 0)))
        #expect(onCuda.wheelCuda?.value == CudaVersion(major: 12, minor: 6) && onCuda.wheelCuda?.source == .pypiDefault)

        let onPython = ResolvedStack.resolve(TorchImageSketch(dockerfile: """
            FROM python:3.12-slim
            RUN pip install torch==2.5.1
            """).facts())
        #expect(onPython.cuda?.value == CudaVersion(major: 12, minor: 4) && onPython.cuda?.source == .pypiDefault)
    }

    @Test func torchFromTheBaseWhenNothingInstallsIt() {
        let stack = ResolvedStack.resolve(TorchImageSketch(dockerfile: """
            FROM nvcr.io/nvidia/pytorch:24.05-py3
            RUN pip install transformers
            """).facts())
        #expect(stack.torchFromBase && stack.torch?.value.text == "2.4.0a0+07cecf4168")
        #expect(stack.cuda?.value == CudaVersion(major: 12, minor: 4) && stack.python?.value == StackVersion([3, 10]))
        #expect(stack.wheelCuda == nil)
    }

    @Test func overridesWin() {
        var sketch = TorchImageSketch(dockerfile: """
            FROM python:3.10-slim
            RUN pip install torch==2.4.1+cu121
            """)
        sketch.pythonOverride = "3.11"
        sketch.cudaOverride = "12.4"
        sketch.torchOverride = "2.5.1"
        let stack = ResolvedStack.resolve(sketch.facts())
        #expect(stack.torch?.value == StackVersion([2, 5, 1]) && stack.torch?.source == .override)
        #expect(stack.cuda?.value == CudaVersion(major: 12, minor: 4) && stack.cuda?.source == .override)
        #expect(stack.python?.value == StackVersion([3, 11]) && stack.python?.source == .override)
    }

    @Test func cpuWheelFromLocalVersionOrIndex() {
        let local = ResolvedStack.resolve(TorchImageSketch(dockerfile: """
            FROM python:3.12-slim
            RUN pip install torch==2.5.1+cpu --index-url https://download.pytorch.org/whl/cpu
            """).facts())
        #expect(local.cpuWheel?.value == true && local.wheelCuda == nil && local.cuda == nil)
        let index = ResolvedStack.resolve(TorchImageSketch(dockerfile: """
            FROM python:3.12-slim
            RUN pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cpu
            """).facts())
        #expect(index.cpuWheel?.value == true)
    }

    @Test func recommendsAnExactPyTorchTagWhenKnown() throws {
        let pick = try #require(BaseImageRecommendation.recommend(torch: StackVersion([2, 5, 1]), cuda: CudaVersion(major: 12, minor: 4), python: nil))
        #expect(pick.image == "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
        #expect(pick.reason.contains("torch 2.5.1") && pick.reason.contains("Python 3.11"))
    }

    @Test func recommendsNvidiaCudaWhenNoPyTorchTagIsKnown() throws {
        let pick = try #require(BaseImageRecommendation.recommend(torch: StackVersion([2, 3, 1]), cuda: CudaVersion(major: 12, minor: 1), python: StackVersion([3, 11])))
        #expect(pick.image == "nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04")
        #expect(pick.reason.contains("install Python 3.11") && pick.reason.contains("https://download.pytorch.org/whl/cu121"))
    }

    @Test func recommendsPythonSlimForCPUAndReplacesAMissingBuild() throws {
        let cpu = try #require(BaseImageRecommendation.recommend(torch: StackVersion([2, 5, 1]), cuda: nil, python: StackVersion([3, 11])))
        #expect(cpu.image == "python:3.11-slim")
        let adjusted = try #require(BaseImageRecommendation.recommend(torch: StackVersion([2, 6, 0]), cuda: CudaVersion(major: 12, minor: 1), python: nil))
        #expect(adjusted.image == "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime")
        #expect(adjusted.reason.contains("no cu121 build"))
        let newer = try #require(BaseImageRecommendation.recommend(torch: StackVersion([2, 14, 0]), cuda: CudaVersion(major: 13, minor: 4), python: nil))
        #expect(newer.image == "pytorch/pytorch:2.14.0-cuda13.2-cudnn9-runtime" && newer.reason.contains("no cu134 build"))
        #expect(BaseImageRecommendation.recommend(torch: StackVersion([3, 0, 0]), cuda: CudaVersion(major: 12, minor: 5), python: nil) == nil,
                "an unknown torch on a CUDA without a known image: nothing to recommend")
    }

    @Test func recommendsForImageFacts() throws {
        let pick = try #require(BaseImageRecommendation.recommend(for: TorchImageSketch(dockerfile: """
            FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
            RUN pip install torch==2.5.1+cu124 --extra-index-url https://download.pytorch.org/whl/cu124
            """).facts()))
        #expect(pick.image == "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
        #expect(BaseImageRecommendation.recommend(for: TorchImageSketch(dockerfile: "FROM python:3.12\nRUN pip install numpy\n").facts()) == nil)
    }
}
