//! The desktop master key against a real Secret Service: run inside
//! `dbus-run-session` with an unlocked gnome-keyring, as `cargo xtask test` does.

use flowdesk_vault::MasterKey;

#[test]
fn master_key_is_created_in_the_os_keyring_read_back_and_deleted() {
    let service = "flowdesk-vault-test";
    let user = format!("master-key-{}", std::process::id());
    let (created, was_created) = MasterKey::from_keyring_or_create(service, &user).expect(
        "the Secret Service stores a key (run inside dbus-run-session with gnome-keyring unlocked)",
    );
    assert!(was_created, "no entry existed, so a key was created");
    let (read, was_created) = MasterKey::from_keyring_or_create(service, &user).expect("read back");
    assert!(!was_created, "the stored key is reused");
    assert_eq!(read.id(), created.id());
    MasterKey::delete_from_keyring(service, &user).expect("deleted");
    let (fresh, was_created) =
        MasterKey::from_keyring_or_create(service, &user).expect("a new key");
    assert!(was_created, "after deleting, a new key is created");
    assert_ne!(fresh.id(), created.id());
    MasterKey::delete_from_keyring(service, &user).expect("deleted again");
}
