pub fn zone_name() -> &'static str {
    chrono_tz::Europe::Paris.name()
}
