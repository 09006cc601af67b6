/// Reads a Dockerfile and its requirements and reports what will break: the Dockerfile rules,
/// the Python rules and the torch rules over what they gather.
public enum Analyzer {
    /// Every rule `analyze` has, by id.
    public static var descriptors: [RuleDescriptor] {
        TorchRules.descriptors
    }
}
