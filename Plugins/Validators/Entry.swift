import SynthKit

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer {
    exportPlugins(FidelityValidator.self, QualityValidator.self, UtilityValidator.self, AugmentationValidator.self,
                  BiasValidator.self, DetectionValidator.self, PrivacyRiskValidator.self, ConstraintsValidator.self)
}

extension Validator {
    /// A string parameter whose empty default means "not given".
    static func optionalText(_ parameters: Parameters, _ id: String) -> String? {
        let text = parameters.string(id)
        return text.isEmpty ? nil : text
    }
}
