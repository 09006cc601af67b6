import Foundation

/// The folder a flow project starts at, found as git finds a repository: the nearest folder,
/// from a starting one up to `/`, that holds a `.flow` marker (a file or folder), a `flow.yml`,
/// or a `pipelines/` folder. State lives in its `runs/`; `uses: ./…` paths start there.
public enum ProjectRoot {
    /// Nil when no folder up to `/` marks a project. Each folder is looked at for all three
    /// before going up, so the nearest project wins, as with git's `.git`.
    public static func find(from directory: String) -> String? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            if marksProject(current) { return current }
            guard current != "/" else { return nil }
            let parent = (current as NSString).deletingLastPathComponent
            current = parent.isEmpty ? "/" : parent
        }
    }

    public static let markers = [".flow", "flow.yml"]

    public static func marksProject(_ directory: String) -> Bool {
        let base = directory == "/" ? "" : directory
        if markers.contains(where: { access(base + "/" + $0, F_OK) == 0 }) { return true }
        var info = stat()
        return stat(base + "/pipelines", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
