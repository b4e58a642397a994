pub fn no_manifest() {}
