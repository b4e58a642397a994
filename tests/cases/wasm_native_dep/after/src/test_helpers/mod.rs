mod test_client;
pub(crate) use test_client::TestClient;
