import Foundation

/// The JSON tables embedded in the binary (`Resources/torch_releases.json`,
/// `Resources/base_images.json`), decoded once. A table that fails to decode (a bad edit to the
/// JSON) leaves that table empty and records why in `loadErrors`, which a test asserts is empty.
enum KnowledgeTables {
    static let torch: (table: TorchReleasesTable, error: String?) = decode(
        TorchReleasesTable.self, from: PackageResources.torch_releases_json, name: "torch_releases.json",
        empty: TorchReleasesTable(version: 0, updated: "", sources: [:], torchaudioStableABI: nil, glibcFloors: [], releases: []))

    static let images: (table: BaseImagesTable, error: String?) = decode(
        BaseImagesTable.self, from: PackageResources.base_images_json, name: "base_images.json",
        empty: BaseImagesTable(version: 0, updated: "", sources: [:], ngcPyTorch: [],
                               pytorchImages: .init(grammar: "", knownTags: [], sources: []),
                               nvidiaCudaRuntimeTags: [], dlc: nil, operatingSystems: [], osAliases: [:]))

    /// Why a table could not be read; empty when both decoded.
    static var loadErrors: [String] { [torch.error, images.error].compactMap { $0 } }

    private static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], name: String, empty: T) -> (T, String?) {
        do {
            return (try JSONDecoder().decode(type, from: Data(bytes)), nil)
        } catch {
            return (empty, "\(name): \(error)")
        }
    }
}

/// `torch_releases.json`.
struct TorchReleasesTable: Decodable, Sendable {
    var version: Int
    var updated: String
    var sources: [String: String]
    var torchaudioStableABI: AudioStableABI?
    var glibcFloors: [GlibcFloor]
    var releases: [Release]

    struct AudioStableABI: Decodable, Sendable {
        var fromTorch: String
        var fromAudio: String
        var note: String
    }

    struct GlibcFloor: Decodable, Sendable {
        var fromTorch: String
        var glibc: String
        var note: String?
        var sources: [String]?
    }

    struct Release: Decodable, Sendable {
        var line: String
        var released: String
        var python: PythonRange
        var cuda: Builds
        var pypiDefaultCuda: String?
        var unverified: [String]
        var patches: [Patch]
        var notes: String?
        var sources: [String]
    }

    struct PythonRange: Decodable, Sendable {
        var min: String
        var max: String
        var experimental: [String]
    }

    struct Builds: Decodable, Sendable {
        var stable: [String]
        var experimental: [String]
        var other: [String]
        var unconfirmed: [String]
    }

    struct Patch: Decodable, Sendable {
        var torch: String
        var vision: String
        var audio: String
    }
}

/// `base_images.json`.
struct BaseImagesTable: Decodable, Sendable {
    var version: Int
    var updated: String
    var sources: [String: String]
    var ngcPyTorch: [NGCRelease]
    var pytorchImages: PyTorchImages
    var nvidiaCudaRuntimeTags: [CudaTag]
    var dlc: DLC?
    var operatingSystems: [OperatingSystemEntry]
    var osAliases: [String: String]

    struct NGCRelease: Decodable, Sendable {
        var release: String
        var torch: String
        var cuda: String
        var python: String
        var ubuntu: String
        var unverified: [String]
        var pipConstraints: Bool?
        var notes: String?
        var sources: [String]
    }

    struct PyTorchImages: Decodable, Sendable {
        var grammar: String
        var knownTags: [PyTorchTag]
        var sources: [String]
    }

    struct PyTorchTag: Decodable, Sendable {
        var torch: String
        var cuda: String
        var cudnn: String
        var python: String?
    }

    struct CudaTag: Decodable, Sendable {
        var cuda: String
        var tag: String
    }

    struct DLC: Decodable, Sendable {
        var grammar: String
        var accounts: [String: String]
        var notes: String
    }

    struct OperatingSystemEntry: Decodable, Sendable {
        var id: String
        var version: String
        var codename: String?
        var glibc: String
        var python: String
        var externallyManaged: Bool
        var unverified: [String]?
    }
}
