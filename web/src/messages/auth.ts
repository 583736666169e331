// Messages of the login steps (second factor, forgotten password, single
// sign-on), the pages the account mails link to, and the account's
// picture, e-mail state and security page. One row per key with its text
// in en, de, fr, es, ja (in that order), so no language can lack a key.
import { register, LANGUAGES, Messages } from '../lib/i18n';

type Row = [en: string, de: string, fr: string, es: string, ja: string];

const rows: Record<string, Row> = {
  // forgotten password
  'auth.forgot_link': ['Forgot password?', 'Passwort vergessen?', 'Mot de passe oublié ?', '¿Olvidaste la contraseña?', 'パスワードをお忘れですか？'],
  'auth.forgot_title': ['Reset your password', 'Passwort zurücksetzen', 'Réinitialiser le mot de passe', 'Restablecer la contraseña', 'パスワードの再設定'],
  'auth.forgot_intro': ['Enter the e-mail address of your account. We send a link to choose a new password.', 'Gib die E-Mail-Adresse deines Kontos ein. Wir schicken einen Link, mit dem du ein neues Passwort wählst.', 'Saisissez l’adresse e-mail de votre compte. Nous envoyons un lien pour choisir un nouveau mot de passe.', 'Escribe la dirección de correo de tu cuenta. Te enviamos un enlace para elegir una contraseña nueva.', 'アカウントのメールアドレスを入力してください。新しいパスワードを設定するリンクを送ります。'],
  'auth.email': ['E-mail address', 'E-Mail-Adresse', 'Adresse e-mail', 'Correo electrónico', 'メールアドレス'],
  'auth.forgot_submit': ['Send the link', 'Link senden', 'Envoyer le lien', 'Enviar el enlace', 'リンクを送信'],
  'auth.forgot_sent': ['If an account has this address, a mail with a link is on its way. The link works for one hour.', 'Wenn ein Konto diese Adresse hat, ist eine E-Mail mit einem Link unterwegs. Der Link gilt eine Stunde.', 'Si un compte a cette adresse, un e-mail avec un lien est en route. Le lien est valable une heure.', 'Si alguna cuenta tiene esta dirección, va en camino un correo con un enlace. El enlace vale una hora.', 'このアドレスのアカウントがあれば、リンク付きのメールを送信しました。リンクの有効期限は 1 時間です。'],
  'auth.forgot_too_many': ['Too many requests for now. Try again later.', 'Zu viele Anfragen. Versuch es später noch einmal.', 'Trop de demandes pour le moment. Réessayez plus tard.', 'Demasiadas solicitudes por ahora. Inténtalo más tarde.', 'リクエストが多すぎます。しばらくしてからもう一度お試しください。'],
  'auth.back_to_login': ['Back to login', 'Zurück zur Anmeldung', 'Retour à la connexion', 'Volver al inicio de sesión', 'ログインに戻る'],

  // single sign-on
  'auth.sso': ['Single sign-on', 'Einmalanmeldung', 'Authentification unique', 'Inicio de sesión único', 'シングルサインオン'],
  'auth.sso_or': ['or', 'oder', 'ou', 'o', 'または'],
  'auth.sso_continue': ['Continue with {name}', 'Weiter mit {name}', 'Continuer avec {name}', 'Continuar con {name}', '{name} で続行'],

  // the second factor at login
  'auth.mfa_title': ['Two-step verification', 'Zwei-Schritt-Bestätigung', 'Validation en deux étapes', 'Verificación en dos pasos', '2 段階認証'],
  'auth.mfa_intro': ['Enter the 6-digit code your authenticator app shows.', 'Gib den 6-stelligen Code aus deiner Authenticator-App ein.', 'Saisissez le code à 6 chiffres de votre application d’authentification.', 'Escribe el código de 6 dígitos que muestra tu app de autenticación.', '認証アプリに表示される 6 桁のコードを入力してください。'],
  'auth.mfa_code': ['Code', 'Code', 'Code', 'Código', 'コード'],
  'auth.mfa_backup_intro': ['Enter one of your backup codes. Each works once.', 'Gib einen deiner Backup-Codes ein. Jeder gilt einmal.', 'Saisissez un de vos codes de secours. Chacun ne sert qu’une fois.', 'Escribe uno de tus códigos de respaldo. Cada uno sirve una vez.', 'バックアップコードを 1 つ入力してください。各コードは 1 回だけ使えます。'],
  'auth.mfa_backup_code': ['Backup code', 'Backup-Code', 'Code de secours', 'Código de respaldo', 'バックアップコード'],
  'auth.mfa_use_backup': ['Use a backup code', 'Backup-Code verwenden', 'Utiliser un code de secours', 'Usar un código de respaldo', 'バックアップコードを使う'],
  'auth.mfa_use_app': ['Use the authenticator app', 'Authenticator-App verwenden', 'Utiliser l’application d’authentification', 'Usar la app de autenticación', '認証アプリを使う'],
  'auth.mfa_verify': ['Verify', 'Bestätigen', 'Valider', 'Verificar', '確認'],
  'auth.mfa_wrong': ['That code is not right. Try again.', 'Der Code stimmt nicht. Versuch es noch einmal.', 'Ce code n’est pas le bon. Réessayez.', 'Ese código no es correcto. Inténtalo de nuevo.', 'コードが正しくありません。もう一度お試しください。'],
  'auth.mfa_expired': ['The login took too long or had too many tries. Log in again.', 'Die Anmeldung hat zu lange gedauert oder zu viele Versuche gebraucht. Melde dich erneut an.', 'La connexion a pris trop de temps ou trop d’essais. Reconnectez-vous.', 'El inicio de sesión tardó demasiado o tuvo demasiados intentos. Vuelve a iniciar sesión.', 'ログインに時間がかかりすぎたか、試行回数が多すぎます。もう一度ログインしてください。'],
  'auth.mfa_locked': ['Too many wrong attempts: the account is locked for a while.', 'Zu viele Fehlversuche: Das Konto ist eine Weile gesperrt.', 'Trop d’essais erronés : le compte est bloqué pour un moment.', 'Demasiados intentos fallidos: la cuenta está bloqueada un tiempo.', '失敗が多すぎるため、アカウントはしばらくロックされています。'],

  // setting TOTP up (at login or on the security page)
  'auth.setup_title': ['Set up two-step verification', 'Zwei-Schritt-Bestätigung einrichten', 'Configurer la validation en deux étapes', 'Configurar la verificación en dos pasos', '2 段階認証の設定'],
  'auth.setup_intro': ['A role of your account requires a second step at login. Scan the code with an authenticator app (or type the key in), then enter the 6-digit code it shows.', 'Eine Rolle deines Kontos verlangt einen zweiten Schritt bei der Anmeldung. Scanne den Code mit einer Authenticator-App (oder tippe den Schlüssel ein) und gib dann den 6-stelligen Code ein.', 'Un rôle de votre compte exige une seconde étape à la connexion. Scannez le code avec une application d’authentification (ou saisissez la clé), puis saisissez le code à 6 chiffres affiché.', 'Un rol de tu cuenta exige un segundo paso al iniciar sesión. Escanea el código con una app de autenticación (o escribe la clave) y escribe el código de 6 dígitos que muestre.', 'アカウントのロールにより、ログイン時に 2 段階目が必要です。認証アプリでコードを読み取り（またはキーを入力し）、表示される 6 桁のコードを入力してください。'],
  'auth.setup_qr': ['QR code for your authenticator app', 'QR-Code für deine Authenticator-App', 'Code QR pour votre application d’authentification', 'Código QR para tu app de autenticación', '認証アプリ用の QR コード'],
  'auth.setup_key': ['Or type this key in:', 'Oder tippe diesen Schlüssel ein:', 'Ou saisissez cette clé :', 'O escribe esta clave:', 'またはこのキーを入力:'],
  'auth.codes_title': ['Your backup codes', 'Deine Backup-Codes', 'Vos codes de secours', 'Tus códigos de respaldo', 'バックアップコード'],
  'auth.codes_intro': ['Keep these codes somewhere safe: each one logs you in once without the app. They are shown only now.', 'Bewahre diese Codes sicher auf: Jeder meldet dich einmal ohne die App an. Sie werden nur jetzt angezeigt.', 'Gardez ces codes en lieu sûr : chacun vous connecte une fois sans l’application. Ils ne sont affichés que maintenant.', 'Guarda estos códigos en un lugar seguro: cada uno te permite entrar una vez sin la app. Solo se muestran ahora.', 'これらのコードを安全な場所に保管してください。各コードでアプリなしで 1 回ログインできます。表示されるのは今だけです。'],
  'auth.codes_copy': ['Copy', 'Kopieren', 'Copier', 'Copiar', 'コピー'],
  'auth.codes_copied': ['Copied.', 'Kopiert.', 'Copié.', 'Copiado.', 'コピーしました。'],
  'auth.codes_download': ['Download', 'Herunterladen', 'Télécharger', 'Descargar', 'ダウンロード'],
  'auth.codes_file_heading': ['Revenge backup codes (each works once)', 'Revenge-Backup-Codes (jeder gilt einmal)', 'Codes de secours Revenge (chacun une fois)', 'Códigos de respaldo de Revenge (cada uno sirve una vez)', 'Revenge バックアップコード（各 1 回のみ）'],
  'auth.continue': ['Continue', 'Weiter', 'Continuer', 'Continuar', '続行'],

  // the pages of the mail links
  'auth.reset_title': ['Choose a new password', 'Neues Passwort wählen', 'Choisir un nouveau mot de passe', 'Elige una contraseña nueva', '新しいパスワードを設定'],
  'auth.reset_submit': ['Set the password', 'Passwort setzen', 'Définir le mot de passe', 'Guardar la contraseña', 'パスワードを設定'],
  'auth.reset_bad_token': ['This link has expired or was used already. Ask for a new one.', 'Dieser Link ist abgelaufen oder wurde schon benutzt. Fordere einen neuen an.', 'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.', 'Este enlace caducó o ya se usó. Pide uno nuevo.', 'このリンクは期限切れか、すでに使用されています。新しいリンクを請求してください。'],
  'auth.reset_done': ['Your password is changed. Log in with it.', 'Dein Passwort ist geändert. Melde dich damit an.', 'Votre mot de passe est modifié. Connectez-vous avec.', 'Tu contraseña ha cambiado. Inicia sesión con ella.', 'パスワードを変更しました。新しいパスワードでログインしてください。'],
  'auth.verify_title': ['Confirm your e-mail address', 'E-Mail-Adresse bestätigen', 'Confirmer votre adresse e-mail', 'Confirmar tu correo electrónico', 'メールアドレスの確認'],
  'auth.verify_busy': ['Checking the link…', 'Link wird geprüft…', 'Vérification du lien…', 'Comprobando el enlace…', 'リンクを確認しています…'],
  'auth.verify_done': ['Your e-mail address is confirmed.', 'Deine E-Mail-Adresse ist bestätigt.', 'Votre adresse e-mail est confirmée.', 'Tu correo electrónico está confirmado.', 'メールアドレスを確認しました。'],
  'auth.verify_bad_token': ['This link has expired, was used already, or is for an address your account no longer has.', 'Dieser Link ist abgelaufen, wurde schon benutzt oder gilt einer Adresse, die dein Konto nicht mehr hat.', 'Ce lien a expiré, a déjà servi ou concerne une adresse que votre compte n’a plus.', 'Este enlace caducó, ya se usó o es de una dirección que tu cuenta ya no tiene.', 'このリンクは期限切れか、使用済みか、アカウントで使われなくなったアドレス用です。'],

  // the picture
  'avatar.title': ['Picture', 'Bild', 'Photo', 'Imagen', '画像'],
  'avatar.alt': ['Your picture', 'Dein Bild', 'Votre photo', 'Tu imagen', 'あなたの画像'],
  'avatar.none': ['No picture yet', 'Noch kein Bild', 'Pas encore de photo', 'Aún sin imagen', '画像はまだありません'],
  'avatar.choose': ['Upload a picture', 'Bild hochladen', 'Envoyer une photo', 'Subir una imagen', '画像をアップロード'],
  'avatar.hint': ['JPEG, PNG or WebP, up to 2 MB, 16 to 4096 pixels a side.', 'JPEG, PNG oder WebP, bis 2 MB, 16 bis 4096 Pixel je Seite.', 'JPEG, PNG ou WebP, jusqu’à 2 Mo, de 16 à 4096 pixels de côté.', 'JPEG, PNG o WebP, hasta 2 MB, de 16 a 4096 píxeles por lado.', 'JPEG・PNG・WebP、2 MB まで、各辺 16〜4096 ピクセル。'],
  'avatar.remove': ['Remove the picture', 'Bild entfernen', 'Retirer la photo', 'Quitar la imagen', '画像を削除'],
  'avatar.uploaded': ['Picture saved.', 'Bild gespeichert.', 'Photo enregistrée.', 'Imagen guardada.', '画像を保存しました。'],
  'avatar.removed': ['Picture removed.', 'Bild entfernt.', 'Photo retirée.', 'Imagen quitada.', '画像を削除しました。'],
  'avatar.bad_type': ['Choose a JPEG, PNG or WebP image.', 'Wähle ein JPEG-, PNG- oder WebP-Bild.', 'Choisissez une image JPEG, PNG ou WebP.', 'Elige una imagen JPEG, PNG o WebP.', 'JPEG・PNG・WebP の画像を選んでください。'],
  'avatar.too_big': ['The picture is larger than 2 MB.', 'Das Bild ist größer als 2 MB.', 'La photo dépasse 2 Mo.', 'La imagen supera los 2 MB.', '画像が 2 MB を超えています。'],

  // the e-mail address's state
  'email.verified': ['Confirmed', 'Bestätigt', 'Confirmée', 'Confirmado', '確認済み'],
  'email.unverified': ['This address is not confirmed yet.', 'Diese Adresse ist noch nicht bestätigt.', 'Cette adresse n’est pas encore confirmée.', 'Esta dirección aún no está confirmada.', 'このアドレスはまだ確認されていません。'],
  'email.resend': ['Send the confirmation mail again', 'Bestätigungs-E-Mail erneut senden', 'Renvoyer l’e-mail de confirmation', 'Reenviar el correo de confirmación', '確認メールを再送信'],
  'email.resent': ['A confirmation mail is on its way.', 'Eine Bestätigungs-E-Mail ist unterwegs.', 'Un e-mail de confirmation est en route.', 'Va en camino un correo de confirmación.', '確認メールを送信しました。'],
  'email.no_mail': ['This server sends no mail.', 'Dieser Server verschickt keine E-Mails.', 'Ce serveur n’envoie pas d’e-mails.', 'Este servidor no envía correos.', 'このサーバーはメールを送信しません。'],
  'email.resend_limit': ['Enough mails went out for now. Try again later.', 'Für den Moment wurden genug E-Mails verschickt. Versuch es später.', 'Assez d’e-mails envoyés pour le moment. Réessayez plus tard.', 'Ya se enviaron suficientes correos por ahora. Inténtalo más tarde.', '現在は送信数の上限です。しばらくしてからお試しください。'],

  // the security page
  'security.title': ['Security', 'Sicherheit', 'Sécurité', 'Seguridad', 'セキュリティ'],
  'security.mfa': ['Two-step verification', 'Zwei-Schritt-Bestätigung', 'Validation en deux étapes', 'Verificación en dos pasos', '2 段階認証'],
  'security.mfa_on': ['On since {date}.', 'Aktiv seit {date}.', 'Activée depuis le {date}.', 'Activada desde el {date}.', '{date} から有効です。'],
  'security.mfa_off': ['Off. With it on, logging in also asks for a code from an authenticator app.', 'Aus. Eingeschaltet fragt die Anmeldung zusätzlich nach einem Code aus einer Authenticator-App.', 'Désactivée. Activée, la connexion demande aussi un code d’une application d’authentification.', 'Desactivada. Activada, el inicio de sesión pide también un código de una app de autenticación.', '無効です。有効にすると、ログイン時に認証アプリのコードも求められます。'],
  'security.mfa_required': ['A role of your account requires it, so it cannot be turned off.', 'Eine Rolle deines Kontos verlangt sie, daher lässt sie sich nicht ausschalten.', 'Un rôle de votre compte l’exige : elle ne peut pas être désactivée.', 'Un rol de tu cuenta la exige, así que no se puede desactivar.', 'アカウントのロールで必須のため、無効にできません。'],
  'security.codes_left': ['Backup codes left: {n}.', 'Verbleibende Backup-Codes: {n}.', 'Codes de secours restants : {n}.', 'Códigos de respaldo restantes: {n}.', '残りのバックアップコード: {n}'],
  'security.setup': ['Set up', 'Einrichten', 'Configurer', 'Configurar', '設定する'],
  'security.setup_intro': ['Scan the code with an authenticator app (or type the key in), then enter the 6-digit code it shows.', 'Scanne den Code mit einer Authenticator-App (oder tippe den Schlüssel ein) und gib dann den 6-stelligen Code ein.', 'Scannez le code avec une application d’authentification (ou saisissez la clé), puis saisissez le code à 6 chiffres affiché.', 'Escanea el código con una app de autenticación (o escribe la clave) y escribe el código de 6 dígitos que muestre.', '認証アプリでコードを読み取り（またはキーを入力し）、表示される 6 桁のコードを入力してください。'],
  'security.enabled': ['Two-step verification is on.', 'Die Zwei-Schritt-Bestätigung ist aktiv.', 'La validation en deux étapes est activée.', 'La verificación en dos pasos está activada.', '2 段階認証を有効にしました。'],
  'security.disabled': ['Two-step verification is off.', 'Die Zwei-Schritt-Bestätigung ist aus.', 'La validation en deux étapes est désactivée.', 'La verificación en dos pasos está desactivada.', '2 段階認証を無効にしました。'],
  'security.regenerate': ['New backup codes', 'Neue Backup-Codes', 'Nouveaux codes de secours', 'Nuevos códigos de respaldo', '新しいバックアップコード'],
  'security.regenerate_intro': ['Ten new codes replace the ones you have; those stop working.', 'Zehn neue Codes ersetzen deine bisherigen; die alten gelten nicht mehr.', 'Dix nouveaux codes remplacent les vôtres ; les anciens ne fonctionnent plus.', 'Diez códigos nuevos sustituyen a los que tienes; esos dejan de funcionar.', '新しい 10 個のコードに置き換わり、今のコードは使えなくなります。'],
  'security.disable': ['Turn off', 'Ausschalten', 'Désactiver', 'Desactivar', '無効にする'],
  'security.disable_intro': ['Logging in will ask for your password only.', 'Die Anmeldung fragt dann nur noch nach dem Passwort.', 'La connexion ne demandera plus que votre mot de passe.', 'El inicio de sesión pedirá solo tu contraseña.', 'ログイン時にはパスワードのみが求められます。'],
  'security.confirm_with': ['Confirm with', 'Bestätigen mit', 'Confirmer avec', 'Confirmar con', '確認方法'],
  'security.confirm_code': ['A code from the app', 'Einem Code aus der App', 'Un code de l’application', 'Un código de la app', 'アプリのコード'],
  'security.confirm_password': ['Your password', 'Deinem Passwort', 'Votre mot de passe', 'Tu contraseña', 'パスワード'],
  'security.confirm_wrong': ['That code or password is not right.', 'Code oder Passwort stimmt nicht.', 'Ce code ou ce mot de passe n’est pas le bon.', 'Ese código o contraseña no es correcto.', 'コードまたはパスワードが正しくありません。'],
  'security.cannot_disable': ['A role of your account requires two-step verification, so it stays on.', 'Eine Rolle deines Kontos verlangt die Zwei-Schritt-Bestätigung, daher bleibt sie aktiv.', 'Un rôle de votre compte exige la validation en deux étapes : elle reste activée.', 'Un rol de tu cuenta exige la verificación en dos pasos, así que sigue activada.', 'アカウントのロールで 2 段階認証が必須のため、有効のままです。'],
  'security.unavailable': ['The server cannot do this now (no secret key configured, or a service is down).', 'Der Server kann das gerade nicht (kein geheimer Schlüssel eingerichtet oder ein Dienst fehlt).', 'Le serveur ne peut pas le faire pour l’instant (pas de clé secrète configurée, ou un service est indisponible).', 'El servidor no puede hacerlo ahora (no hay clave secreta configurada o un servicio no responde).', 'サーバーは現在これを実行できません（秘密鍵が未設定か、サービスが停止しています）。'],
};

const messages = {} as Messages;
LANGUAGES.forEach((l, i) => {
  messages[l] = Object.fromEntries(Object.entries(rows).map(([k, row]) => [k, row[i]]));
});
register(messages);
