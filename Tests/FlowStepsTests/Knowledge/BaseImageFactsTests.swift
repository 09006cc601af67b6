import Testing
@testable import FlowSteps

@Suite struct BaseImageFactsTests {
    @Test func splitsRegistryPortRepositoryTagAndDigest() {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let a = BaseImageFacts.parse("localhost:5000/team/nvidia/cuda:12.4.1-runtime-ubuntu22.04@\(digest)")
        #expect(a.registry == "localhost:5000" && a.repository == "team/nvidia/cuda")
        #expect(a.tag == "12.4.1-runtime-ubuntu22.04" && a.digest == digest)
        #expect(a.family == .nvidiaCuda && a.cuda == CudaVersion(major: 12, minor: 4))

        let b = BaseImageFacts.parse("python@\(digest)")
        #expect(b.registry == nil && b.repository == "python" && b.tag == nil && b.digest == digest)
        #expect(b.family == .python && b.python == nil)

        let c = BaseImageFacts.parse("myregistry.example.com:443/ml/base:1.0")
        #expect(c.registry == "myregistry.example.com:443" && c.repository == "ml/base" && c.tag == "1.0" && c.family == .other)

        let d = BaseImageFacts.parse("docker.io/library/python:3.11-slim")
        #expect(d.registry == "docker.io" && d.repository == "library/python" && d.family == .python)
        #expect(d.normalizedName == "python:3.11-slim")
    }

    @Test func ngcPyTorchReleasesFromTheTable() {
        let facts = BaseImageFacts.parse("nvcr.io/nvidia/pytorch:24.07-py3")
        #expect(facts.family == .ngcPyTorch && facts.ngcRelease == "24.07")
        #expect(facts.torch?.text == "2.4.0a0+3bcc3cddb5")
        #expect(facts.cuda == CudaVersion(major: 12, minor: 5))
        #expect(facts.python == StackVersion([3, 10]) && facts.os?.version == "22.04" && facts.glibc == StackVersion([2, 35]))
        #expect(facts.expectsGPU && !facts.pipConstraints)

        let newer = BaseImageFacts.parse("nvcr.io/nvidia/pytorch:25.03-py3")
        #expect(newer.pipConstraints && newer.python == StackVersion([3, 12]) && newer.cuda == CudaVersion(major: 12, minor: 8))
        #expect(newer.systemPythonExternallyManaged == nil, "not confirmed, so unknown")

        let igpu = BaseImageFacts.parse("nvcr.io/nvidia/pytorch:25.06-py3-igpu")
        #expect(igpu.torch?.text == "2.8.0a0+5228986c39" && igpu.cuda == CudaVersion(major: 12, minor: 9))

        let unverified = BaseImageFacts.parse("nvcr.io/nvidia/pytorch:24.06-py3")
        #expect(unverified.cuda == CudaVersion(major: 12, minor: 5) && !unverified.isVerified("cuda"))

        let unknown = BaseImageFacts.parse("nvcr.io/nvidia/pytorch:19.01-py3")
        #expect(unknown.family == .ngcPyTorch && unknown.torch == nil && unknown.cuda == nil && unknown.expectsGPU)
    }

    @Test func pytorchPyTorchTags() {
        let facts = BaseImageFacts.parse("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
        #expect(facts.family == .pytorch && facts.torch == StackVersion([2, 5, 1]))
        #expect(facts.cuda == CudaVersion(major: 12, minor: 4) && facts.cudnnMajor == 9 && facts.flavor == .runtime)
        #expect(facts.python == StackVersion([3, 11]) && facts.expectsGPU && facts.systemPythonExternallyManaged == false)

        let devel = BaseImageFacts.parse("ghcr.io/pytorch/pytorch:2.8.0-cuda12.9-cudnn9-devel")
        #expect(devel.family == .pytorch && devel.flavor == .devel && devel.python == nil)

        let old = BaseImageFacts.parse("docker.io/pytorch/pytorch:1.13.1-cuda11.6-cudnn8-runtime")
        #expect(old.torch == StackVersion([1, 13, 1]) && old.cudnnMajor == 8 && old.cuda == CudaVersion(major: 11, minor: 6))

        let latest = BaseImageFacts.parse("pytorch/pytorch:latest")
        #expect(latest.family == .pytorch && latest.torch == nil && latest.cuda == nil)
    }

    @Test func nvidiaCudaTagsWithCudnnVariantsAndOS() {
        let a = BaseImageFacts.parse("nvidia/cuda:12.0.0-cudnn8-devel-ubuntu22.04")
        #expect(a.cuda == CudaVersion(major: 12, minor: 0) && a.cudnnMajor == 8 && a.includesCudnn && a.flavor == .devel)
        #expect(a.os?.id == "ubuntu" && a.os?.version == "22.04" && a.python == nil && a.osPython == StackVersion([3, 10]))

        let b = BaseImageFacts.parse("nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04")
        #expect(b.includesCudnn && b.cudnnMajor == nil && b.flavor == .runtime)
        #expect(b.systemPythonExternallyManaged == true && b.glibc == StackVersion([2, 39]))

        let c = BaseImageFacts.parse("nvcr.io/nvidia/cuda:11.8.0-base-ubi8")
        #expect(c.family == .nvidiaCuda && c.flavor == .base && !c.includesCudnn)
        #expect(c.os?.id == "rhel" && c.glibc == StackVersion([2, 28]))

        let d = BaseImageFacts.parse("nvidia/cuda:11.3.1-runtime-centos7")
        #expect(d.glibc == StackVersion([2, 17]) && d.cudaToolkit == StackVersion([11, 3, 1]))

        let e = BaseImageFacts.parse("nvidia/cuda:12.2.0-devel-rockylinux9")
        #expect(e.os?.id == "rhel" && e.os?.version == "9")

        let variable = BaseImageFacts.parse("nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu22.04")
        #expect(variable.family == .nvidiaCuda && variable.cuda == nil && variable.os == nil)
    }

    @Test func awsDLCWithAccountRegionAndChinaPartition() {
        let a = BaseImageFacts.parse("763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.8.0-gpu-py312-cu129-ubuntu22.04-ec2")
        #expect(a.family == .awsDLC && a.torch == StackVersion([2, 8, 0]) && a.python == StackVersion([3, 12]))
        #expect(a.cuda == CudaVersion(major: 12, minor: 9) && a.os?.version == "22.04" && a.expectsGPU)

        let b = BaseImageFacts.parse("727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-inference:2.6.0-cpu-py312-ubuntu22.04-sagemaker")
        #expect(b.family == .awsDLC && !b.expectsGPU && b.cuda == nil && b.torch == StackVersion([2, 6, 0]))

        let c = BaseImageFacts.parse("871362719292.dkr.ecr.ap-east-1.amazonaws.com/pytorch-training-arm64:2.9.0-gpu-py312-cu130-ubuntu22.04-ec2-v1.2")
        #expect(c.family == .awsDLC && c.cuda == CudaVersion(major: 13, minor: 0))

        let base = BaseImageFacts.parse("763104351884.dkr.ecr.us-east-1.amazonaws.com/base:12.8.1-gpu-py312-cu128-ubuntu24.04-ec2")
        #expect(base.family == .awsDLC && base.torch == nil && base.cudaToolkit == StackVersion([12, 8, 1]))

        let publicECR = BaseImageFacts.parse("public.ecr.aws/deep-learning-containers/pytorch-training:2.7.1-gpu-py312-cu128-ubuntu22.04-ec2")
        #expect(publicECR.family == .awsDLC && publicECR.torch == StackVersion([2, 7, 1]))

        let own = BaseImageFacts.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:latest")
        #expect(own.family == .other, "a private ECR is not a DLC")
    }

    @Test func pythonImagesSlimBookwormAlpine() {
        let slim = BaseImageFacts.parse("python:3.12-slim")
        #expect(slim.family == .python && slim.python == StackVersion([3, 12]))
        #expect(slim.systemPythonExternallyManaged == false && slim.osID == "debian" && slim.glibc == nil)

        let bookworm = BaseImageFacts.parse("python:3.11.9-slim-bookworm")
        #expect(bookworm.python == StackVersion([3, 11]) && bookworm.glibc == StackVersion([2, 36]))
        #expect(bookworm.systemPythonExternallyManaged == false, "the python image's Python is not Debian's")

        let buster = BaseImageFacts.parse("python:3.8-buster")
        #expect(buster.glibc == StackVersion([2, 28]))

        let alpine = BaseImageFacts.parse("python:3.12-alpine3.20")
        #expect(alpine.usesMusl && alpine.osID == "alpine" && alpine.python == StackVersion([3, 12]))

        let major = BaseImageFacts.parse("python:3-slim")
        #expect(major.python == nil, "3 alone names no minor")

        let mirror = BaseImageFacts.parse("public.ecr.aws/docker/library/python:3.10")
        #expect(mirror.family == .python && mirror.python == StackVersion([3, 10]))
    }

    @Test func distributionImages() {
        #expect(BaseImageFacts.parse("ubuntu:24.04").systemPythonExternallyManaged == true)
        #expect(BaseImageFacts.parse("ubuntu:jammy-20240911").os?.version == "22.04")
        #expect(BaseImageFacts.parse("ubuntu").os == nil)
        #expect(BaseImageFacts.parse("ubuntu:latest").os == nil)
        #expect(BaseImageFacts.parse("debian:bookworm-slim").os?.version == "12")
        #expect(BaseImageFacts.parse("debian:11").systemPythonExternallyManaged == false)
        #expect(BaseImageFacts.parse("amazonlinux:2").glibc == StackVersion([2, 26]))
        #expect(BaseImageFacts.parse("amazonlinux:2023.6.20241111.0").glibc == StackVersion([2, 34]))
        let ubi = BaseImageFacts.parse("registry.access.redhat.com/ubi9/ubi-minimal:9.4")
        #expect(ubi.family == .ubi && ubi.glibc == StackVersion([2, 34]) && ubi.osPython == StackVersion([3, 9]))
        let ubiPython = BaseImageFacts.parse("registry.access.redhat.com/ubi8/python-311")
        #expect(ubiPython.python == StackVersion([3, 11]) && ubiPython.glibc == StackVersion([2, 28]))
        #expect(BaseImageFacts.parse("centos:7").glibc == StackVersion([2, 17]))
        #expect(BaseImageFacts.parse("centos:centos7.9.2009").glibc == StackVersion([2, 17]))
        #expect(BaseImageFacts.parse("rockylinux:9").glibc == StackVersion([2, 34]))
        #expect(BaseImageFacts.parse("quay.io/centos/centos:stream9").glibc == StackVersion([2, 34]))
    }

    @Test func hostileReferencesNeverCrash() {
        for text in ["", ":", "@", "/", "//", ":::", "a@b@c", "nvidia/cuda:", "nvidia/cuda:-", "nvidia/cuda:--ubuntu",
                     "pytorch/pytorch:-cuda-cudnn-", "nvcr.io/nvidia/pytorch:2", String(repeating: "a/", count: 2000),
                     "python:\u{0}3.12", "ubuntu:🙂", "763104351884.dkr.ecr..amazonaws.com/:"] {
            let facts = BaseImageFacts.parse(text)
            #expect(facts.reference == text)
        }
    }
}
