# ruff: noqa: E501 -- policy text, kept as it reads
"""The first version of the privacy policy (2025-04-01), as the data migration stores it.

Kept as a module the migration imports once; the stored row, not this file, is the record.
"""

BODY_JA = """\
{practice_name}（以下「当相談室」）は、ご相談いただく方の個人情報、とりわけ心身の状態やご相談内容など\
の要配慮個人情報をお預かりすることの重みを踏まえ、個人情報の保護に関する法律（個人情報保護法）その他の\
法令を守り、以下のとおり取り扱います。

## 1. 取得する情報

- アカウント：お名前、メールアドレス、パスワード（復元できない形で保存します）
- 事前のご相談票（インテーク）：お悩みの場面、セルフチェックの回答、ご相談内容、希望する形式、ご連絡の方法、\
緊急の状況にあるかどうか
- カウンセリングの記録：ご予約の日時、カウンセラーのセッションノート、ワークシートへのご記入
- 講座・メール講座：お名前、メールアドレス、お申込みや配信の記録、同意の記録（日時、同意文の版、IPアドレス、\
ブラウザの情報）
- 安全のための記録：ログインの記録、IPアドレス、記録の閲覧・変更の履歴

ご相談票、セッションノート、ワークシートに含まれる心身の状態などは要配慮個人情報です。当相談室は、ご本人の\
同意（ご相談票の同意欄）を得たうえでのみ取得します。

## 2. 利用の目的

- カウンセリングの提供、ご予約の受付・変更・リマインダーのご連絡
- ご相談内容を踏まえたカウンセリングの準備と振り返り
- 講座の運営、お申込みとキャンセル待ちのご連絡
- メール講座・お知らせの配信（ご同意いただいた方のみ。いつでも停止できます）
- 命の危険がうかがわれるときの緊急の対応
- 不正なアクセスの防止と、サービスの安全な運営

これらの目的の範囲を超えて利用することはありません。

## 3. 保存する期間

- ご相談票、セッションノート、ワークシート：最後のカウンセリングから5年間。その後は削除します。
- アカウント：退会のお申し出まで。お申し出の後、法令で保存が必要なものを除き削除します。
- メール講座の確認待ちのお申込み：30日。同意の記録は、配信を停止した後も同意の証として保存します。
- ログインや閲覧の記録：安全のために必要な期間（原則1年間）

## 4. 第三者への提供と委託

法令に基づく場合、人の生命・身体の保護のために必要でご本人の同意を得ることが難しい場合を除き、ご本人の同意\
なく第三者に提供することはありません。

次の業務は外部の事業者に委託しています。委託先には必要な範囲の情報だけを預け、適切に取り扱うよう監督します。

- メールの送信：メール配信事業者（お名前、メールアドレス、メールの本文）
- サーバーの運用：ホスティング事業者（当相談室のデータベースとファイル。セッションノートは暗号化して保存します）

委託先が外国にある場合は、その国の名称と個人情報の保護の制度を、ご請求に応じてお知らせします。

## 5. 安全管理のための措置

- セッションノートは暗号化して保存し、担当のカウンセラーだけが読めます。
- ご相談票、ノート、ワークシートの閲覧と変更は、誰がいつ行ったかをすべて記録します。
- 通信は暗号化し、パスワードは復元できない形で保存します。ログインの失敗が続くと一時的に止めます。
- 情報に触れる者を必要な者に限り、守秘義務を課しています。

## 6. 開示・訂正・削除などのご請求

ご自身の情報の開示、訂正・追加・削除、利用の停止、第三者への提供の停止を請求できます。マイページの\
「わたしのデータ」からご自身の情報をいつでも取り出せるほか、下記の窓口へメールでご請求ください。ご本人で\
あることを確認したうえで、遅くとも2週間以内にお答えします。

## 7. お問い合わせ窓口

- 事業者：{practice_name}（個人情報のお問い合わせ窓口）
- 住所：{postal_address}
- メール：{contact_email}

## 8. 改定

このポリシーを改定するときは、新しい版としてこのページで公表します。以前の版も、このページから\
ご覧いただけます。
"""

BODY_EN = """\
{practice_name} (\"we\") holds personal information, including special care-required personal information \
such as your state of mind and what you tell us, and handles it under the Act on the Protection of Personal \
Information as follows.

## 1. What we collect

- Account: your name, email address and password (stored so that it cannot be recovered)
- Intake: the situations you struggle in, your self-check answers, your concern, preferred format, how to \
contact you, and whether you are in crisis
- Counseling records: booking times, the counselor's session notes, what you write in worksheets
- Courses and the email course: name, email address, enrolment and delivery records, consent records (time, \
wording version, IP address, browser)
- Security records: logins, IP addresses, who read or changed a record

We collect special care-required information only with your consent (the consent box of the intake).

## 2. Why we use it

- To provide counseling and to handle bookings, changes and reminders
- To prepare and review sessions
- To run courses and tell you about enrolments and the waiting list
- To send the email course and news (only with your consent; you can stop it at any time)
- To respond in an emergency when a life may be at risk
- To prevent unauthorised access and keep the service safe

## 3. How long we keep it

- Intakes, session notes, worksheets: five years after the last session, then deleted
- Accounts: until you ask us to close yours
- Unconfirmed email-course sign-ups: 30 days; consent records are kept as proof of consent
- Login and access records: as long as security requires (normally one year)

## 4. Third parties and service providers

We do not give your information to third parties without your consent, except where the law requires it or \
where it is needed to protect a life and your consent cannot be obtained.

We entrust these tasks to providers, who receive only what the task needs and whom we supervise:

- Sending email: an email delivery provider (name, email address, message)
- Running the servers: a hosting provider (our database and files; session notes are stored encrypted)

## 5. Security measures

Session notes are encrypted and readable only by their counselor; every read and change of an intake, note or \
worksheet is recorded; connections are encrypted; repeated failed logins pause logging in; access is limited \
to those who need it, under a duty of confidentiality.

## 6. Disclosure, correction and deletion

You may ask us to disclose, correct, add to or delete your information, or to stop using or sharing it. You \
can download your data from \"My data\" in the portal at any time, or write to the contact below. We answer \
within two weeks after confirming that you are you.

## 7. Contact

- {practice_name}, personal information desk
- Address: {postal_address}
- Email: {contact_email}

## 8. Changes

A changed policy is published on this page as a new version; earlier versions stay available here.
"""
