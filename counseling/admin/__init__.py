"""The counselor's screens: session types, hours, time off, upcoming bookings by day, intakes by status,
session notes by client and tag, the worksheet review queue, and the access log.

A counselor sees and edits their own records; a superuser sees everyone's, except session notes,
which only their author ever reads. Bookings, intakes and worksheets change only through the
services (the actions and forms below), so mail and rules apply as in the API; every screen that
shows a note, an intake or a worksheet records it in the access log, which nobody can change.

One module per area, as in models, services and selectors; importing them registers the screens.
"""

from counseling.admin.access import AccessRecordAdmin as AccessRecordAdmin
from counseling.admin.bookings import BookingAdmin as BookingAdmin
from counseling.admin.bookings import UpcomingFilter as UpcomingFilter
from counseling.admin.intake import IntakeAdmin as IntakeAdmin
from counseling.admin.intake import IntakeAnswerInline as IntakeAnswerInline
from counseling.admin.notes import SessionNoteAdmin as SessionNoteAdmin
from counseling.admin.notes import TagFilter as TagFilter
from counseling.admin.patterns import PatternAdmin as PatternAdmin
from counseling.admin.patterns import StepSuggestionAdmin as StepSuggestionAdmin
from counseling.admin.scheduling import AvailabilityRuleAdmin as AvailabilityRuleAdmin
from counseling.admin.scheduling import CounselorProfileAdmin as CounselorProfileAdmin
from counseling.admin.scheduling import SessionTypeAdmin as SessionTypeAdmin
from counseling.admin.scheduling import TimeOffAdmin as TimeOffAdmin
from counseling.admin.worksheets import ReviewQueueAdmin as ReviewQueueAdmin
from counseling.admin.worksheets import WorksheetAdmin as WorksheetAdmin
from counseling.admin.worksheets import WorksheetReviewForm as WorksheetReviewForm
from counseling.admin.worksheets import WorksheetTemplateAdmin as WorksheetTemplateAdmin
