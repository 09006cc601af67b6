/// Which module a distribution's import check imports: `import-names:` first, then the shipped
/// table of distributions whose module is named otherwise (`PyYAML` → `yaml`), then — inside
/// the image — the distribution's own metadata (`top_level.txt`, else its RECORD), then the name
/// itself with `-` as `_`.
public enum ImportNames {
    /// Where a distribution's modules come from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// `import-names:` of the step.
        case given
        /// ``table``.
        case table
        /// Left to the runner: the installed distribution's metadata, else the name.
        case image
    }

    /// PEP 503 name → modules, for distributions whose import name is not their name.
    public static let table: [String: [String]] = [
        "pyyaml": ["yaml"],
        "scikit-learn": ["sklearn"],
        "scikit-image": ["skimage"],
        "opencv-python": ["cv2"],
        "opencv-python-headless": ["cv2"],
        "opencv-contrib-python": ["cv2"],
        "opencv-contrib-python-headless": ["cv2"],
        "pillow": ["PIL"],
        "pillow-simd": ["PIL"],
        "beautifulsoup4": ["bs4"],
        "protobuf": ["google.protobuf"],
        "python-dateutil": ["dateutil"],
        "python-dotenv": ["dotenv"],
        "python-multipart": ["multipart"],
        "pyjwt": ["jwt"],
        "pymupdf": ["fitz"],
        "nvidia-ml-py": ["pynvml"],
        "nvidia-ml-py3": ["pynvml"],
        "attrs": ["attr", "attrs"],
        "msgpack-python": ["msgpack"],
        "pyzmq": ["zmq"],
        "pycryptodome": ["Crypto"],
        "pycryptodomex": ["Cryptodome"],
        "pyopenssl": ["OpenSSL"],
        "google-cloud-storage": ["google.cloud.storage"],
        "grpcio": ["grpc"],
        "grpcio-tools": ["grpc_tools"],
        "tensorflow-gpu": ["tensorflow"],
        "tensorflow-cpu": ["tensorflow"],
        "faiss-cpu": ["faiss"],
        "faiss-gpu": ["faiss"],
        "onnxruntime-gpu": ["onnxruntime"],
        "ruamel-yaml": ["ruamel.yaml"],
        "antlr4-python3-runtime": ["antlr4"],
        "py-cpuinfo": ["cpuinfo"],
        "pyserial": ["serial"],
        "pywin32": ["win32api"],
        "ipython": ["IPython"],
        "mysqlclient": ["MySQLdb"],
        "psycopg2-binary": ["psycopg2"],
    ]

    /// The modules to import for `distribution` and where they come from; an empty list from
    /// `import-names:` (`false`) means the import is not checked. `.image` leaves it to the runner.
    public static func modules(for distribution: String, overrides: [String: [String]]) -> (modules: [String], source: Source) {
        let normalized = Requirement.normalize(distribution)
        if let given = overrides.first(where: { Requirement.normalize($0.key) == normalized })?.value {
            return (given, .given)
        }
        if let known = table[normalized] { return (known, .table) }
        return ([], .image)
    }

    /// Whether `name` is a dotted Python module name (`yaml`, `google.protobuf`): what reaches
    /// the runner is imported with `importlib`, so anything else is refused before the run.
    public static func isModuleName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 200 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
        }
    }
}
