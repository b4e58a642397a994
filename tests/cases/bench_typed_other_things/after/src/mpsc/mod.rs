pub fn sync_channel() {}
