from __future__ import annotations

import hashlib
import re

import pytest
from django.core.cache import cache
from django.test import Client

from pes.accounts.models import ApiToken, User
from pes.accounts.services import api_token_authenticate, api_token_create
from pes.accounts.tests.factories import UserFactory
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.test import PASSWORD, BaseTestCase

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-altra-password-lunga-2"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    """allauth counts attempts in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def test_a_visitor_signs_up_with_an_e_mail_and_a_password(client, mailoutbox):
    assert client.get("/auth/signup/").status_code == 200
    response = client.post(
        "/auth/signup/",
        {"email": "Nuova.Utente@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="nuova.utente@example.org")
    assert user.role == User.Role.VISITOR
    assert user.username == user.email
    assert user.check_password(PASSWORD)
    # Signed in at once; the verification e-mail is sent but optional.
    assert client.get("/account/profilo/").status_code == 200
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]


def test_signing_up_twice_with_the_same_e_mail_is_refused(client):
    UserFactory.create(email="gia@example.org")
    response = client.post(
        "/auth/signup/",
        {"email": "gia@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email="gia@example.org").count() == 1


def test_signing_up_with_a_weak_or_mismatched_password_is_refused(client):
    response = client.post(
        "/auth/signup/", {"email": "debole@example.org", "password1": "1234", "password2": "1234"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    response = client.post(
        "/auth/signup/",
        {"email": "debole@example.org", "password1": PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(email="debole@example.org").exists()


def test_a_user_logs_in_with_the_e_mail_and_lands_on_the_profile(client):
    UserFactory.create(email="accesso@example.org")
    assert client.get("/auth/login/").status_code == 200
    response = client.post("/auth/login/", {"login": "ACCESSO@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/profilo/"
    assert client.get("/account/profilo/").context["user"].email == "accesso@example.org"


def test_a_wrong_password_does_not_log_in(client):
    UserFactory.create(email="accesso@example.org")
    response = client.post("/auth/login/", {"login": "accesso@example.org", "password": "no"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/account/profilo/").status_code == 302


def test_login_returns_to_the_page_asked_for(client):
    UserFactory.create(email="accesso@example.org")
    response = client.get("/enti/nuovo/")
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/auth/login/")
    response = client.post(
        login_url, {"login": "accesso@example.org", "password": PASSWORD, "next": "/enti/nuovo/"}
    )
    assert response["Location"] == "/enti/nuovo/"


def test_logout_needs_a_post(client):
    client.force_login(UserFactory.create())
    response = client.get("/auth/logout/")
    assert response.status_code == 200  # a confirmation page, still logged in
    assert client.get("/account/profilo/").status_code == 200
    response = client.post("/auth/logout/")
    assert response.status_code == 302
    assert client.get("/account/profilo/").status_code == 302


def test_password_reset_sends_an_e_mail_with_a_working_link(client, mailoutbox):
    user = UserFactory.create(email="dimentica@example.org")
    assert client.get("/auth/password/reset/").status_code == 200
    response = client.post("/auth/password/reset/", {"email": "dimentica@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dimentica@example.org"]
    links = re.findall(r"http://testserver(/auth/password/reset/key/\S+/)", message.body)
    assert links, message.body
    response = client.get(links[0])
    assert response.status_code == 302  # the key moves into the session
    form_url = response["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works only once.
    assert client.get(links[0], follow=True).context.get("token_fail") is True


def test_password_reset_for_an_unknown_e_mail_reveals_nothing(client, mailoutbox):
    response = client.post("/auth/password/reset/", {"email": "nessuno@example.org"})
    assert response.status_code == 302
    assert all("/auth/password/reset/key/" not in m.body for m in mailoutbox)


def test_the_profile_needs_a_login(client):
    response = client.get("/account/profilo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login/")


class ProfileTests(BaseTestCase):
    def test_a_member_sees_their_organisations_with_links_to_edit_them(self) -> None:
        other = OrganizationFactory.create(name="Ente non mio")
        response = self.client_for(self.member).get("/account/profilo/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["organizations"]), [self.org])
        body = response.content.decode()
        self.assertIn(f"/enti/{self.org.slug}/modifica/", body)
        self.assertNotIn(other.name, body)
        self.assertIn("member@example.org", body)

    def test_a_member_of_two_organisations_sees_both(self) -> None:
        second = OrganizationFactory.create(name="Secondo ente")
        Membership.objects.create(user=self.member, organization=second)
        response = self.client_for(self.member).get("/account/profilo/")
        self.assertEqual(set(response.context["organizations"]), {self.org, second})

    def test_an_outsider_is_invited_to_add_their_organisation(self) -> None:
        response = self.client_for(self.outsider).get("/account/profilo/")
        self.assertEqual(list(response.context["organizations"]), [])
        self.assertIn("/enti/nuovo/", response.content.decode())

    def test_the_plans_office_gets_links_to_the_directory_and_the_import(self) -> None:
        response = self.client_for(self.governance).get("/account/profilo/")
        self.assertTrue(response.context["is_governance"])
        self.assertIsNone(response.context["organizations"])
        self.assertIn("/enti/importa/", response.content.decode())

    def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(self) -> None:
        client = self.client_for(self.member)
        response = client.post("/account/profilo/", {"name": "script di sincronizzazione"})
        self.assertEqual(response.status_code, 200)
        key = response.context["new_key"]
        self.assertTrue(key.startswith("pes_"))
        self.assertIn(key, response.content.decode())
        token = ApiToken.objects.get(user=self.member)
        self.assertEqual(token.name, "script di sincronizzazione")
        self.assertEqual(token.key_hash, hashlib.sha256(key.encode()).hexdigest())
        self.assertEqual(token.prefix, key[4:12])
        self.assertNotIn(key, [token.name, token.prefix, token.key_hash])
        # The next visit lists the token by its prefix but never shows the key again.
        again = client.get("/account/profilo/")
        self.assertEqual(again.context["new_key"], "")
        body = again.content.decode()
        self.assertNotIn(key, body)
        self.assertIn(token.prefix, body)
        self.assertEqual(list(again.context["tokens"]), [token])

    def test_a_token_without_a_name_is_a_form_error(self) -> None:
        response = self.client_for(self.member).post("/account/profilo/", {"name": ""})
        self.assertIn("name", response.context["form"].errors)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_new_token_authenticates_api_calls_and_records_its_use(self) -> None:
        response = self.client_for(self.member).post("/account/profilo/", {"name": "api"})
        key = response.context["new_key"]
        patch = Client().patch(
            f"/api/v1/organizations/{self.org.pk}",
            data='{"phone": "051 000000"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        self.assertEqual(patch.status_code, 200)
        self.assertIsNotNone(ApiToken.objects.get(user=self.member).last_used_at)

    def test_a_user_revokes_their_token(self) -> None:
        token, key = api_token_create(user=self.member, name="vecchio")
        client = self.client_for(self.member)
        response = client.post(f"/account/token/{token.pk}/revoca/")
        self.assertRedirects(response, "/account/profilo/")
        self.assertFalse(ApiToken.objects.filter(pk=token.pk).exists())
        self.assertIsNone(api_token_authenticate(key=key))

    def test_revoking_needs_a_post(self) -> None:
        token, _key = api_token_create(user=self.member, name="vecchio")
        response = self.client_for(self.member).get(f"/account/token/{token.pk}/revoca/")
        self.assertEqual(response.status_code, 405)
        self.assertTrue(ApiToken.objects.filter(pk=token.pk).exists())

    def test_the_token_of_another_user_cannot_be_revoked(self) -> None:
        token, key = api_token_create(user=self.member, name="del membro")
        for user in (self.outsider, self.governance):
            response = self.client_for(user).post(f"/account/token/{token.pk}/revoca/")
            self.assertEqual(response.status_code, 302)
        self.assertTrue(ApiToken.objects.filter(pk=token.pk).exists())
        self.assertEqual(api_token_authenticate(key=key), self.member)

    def test_an_anonymous_visitor_cannot_revoke_a_token(self) -> None:
        token, _key = api_token_create(user=self.member, name="del membro")
        response = self.client_for(None).post(f"/account/token/{token.pk}/revoca/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/auth/login/", response["Location"])
        self.assertTrue(ApiToken.objects.filter(pk=token.pk).exists())

    def test_a_users_tokens_are_listed_only_to_them(self) -> None:
        api_token_create(user=self.member, name="segreto del membro")
        response = self.client_for(self.outsider).get("/account/profilo/")
        self.assertEqual(list(response.context["tokens"]), [])
        self.assertNotIn("segreto del membro", response.content.decode())


def test_an_unknown_key_authenticates_nobody():
    assert api_token_authenticate(key="pes_inventata") is None
    assert api_token_authenticate(key="") is None


def test_users_created_by_the_manager_use_the_e_mail_as_username():
    user = User.objects.create_user(username="", email="Gestore@Example.ORG", password=PASSWORD)
    assert user.username == user.email == "Gestore@example.org"
