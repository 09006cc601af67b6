import FlowEngine

/// The run's `images:` map applied to one image name: a pipeline names its real base
/// (`python:3.11-slim`), a local run points it at a local one. Every replacement is said in the
/// step log; nothing is replaced silently.
public enum ImageMap {
    /// The image to use for `name`, and the log line that says so when it differs.
    public static func resolve(_ name: String, in context: StepContext) -> String {
        guard let replacement = context.images[name], replacement != name else { return name }
        context.log.note("image \(name) → \(replacement) (the run's `images:` map)")
        return replacement
    }
}
