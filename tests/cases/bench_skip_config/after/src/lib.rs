mod gen;

pub fn parse_a() {}

pub fn parse_b() {}

pub fn render() {}
