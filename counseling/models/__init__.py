"""The counseling app's models, one module per area, re-exported here so that
``from counseling.models import Booking`` keeps working wherever it is written.

patterns (the method's vocabulary), intake, scheduling (formats, session types, hours, time off,
meeting links), bookings, notes, worksheets and access (the access log of sensitive records).
"""

from counseling.models.access import AccessAction as AccessAction
from counseling.models.access import AccessRecord as AccessRecord
from counseling.models.access import AccessRecordImmutableError as AccessRecordImmutableError
from counseling.models.access import AccessRecordQuerySet as AccessRecordQuerySet
from counseling.models.bookings import BOOKING_BLOCKING_STATUSES as BOOKING_BLOCKING_STATUSES
from counseling.models.bookings import Booking as Booking
from counseling.models.bookings import BookingStatus as BookingStatus
from counseling.models.intake import Intake as Intake
from counseling.models.intake import IntakeAnswer as IntakeAnswer
from counseling.models.intake import IntakeStatus as IntakeStatus
from counseling.models.notes import SESSION_NOTE_SECTIONS as SESSION_NOTE_SECTIONS
from counseling.models.notes import SessionNote as SessionNote
from counseling.models.notes import SessionNoteAddendum as SessionNoteAddendum
from counseling.models.notes import SessionNoteStatus as SessionNoteStatus
from counseling.models.patterns import Pattern as Pattern
from counseling.models.patterns import PatternKind as PatternKind
from counseling.models.patterns import StepSuggestion as StepSuggestion
from counseling.models.scheduling import AvailabilityRule as AvailabilityRule
from counseling.models.scheduling import CounselorProfile as CounselorProfile
from counseling.models.scheduling import Format as Format
from counseling.models.scheduling import SessionType as SessionType
from counseling.models.scheduling import TimeOff as TimeOff
from counseling.models.scheduling import Weekday as Weekday
from counseling.models.worksheets import SubmittedWorksheet as SubmittedWorksheet
from counseling.models.worksheets import Worksheet as Worksheet
from counseling.models.worksheets import WorksheetEntry as WorksheetEntry
from counseling.models.worksheets import WorksheetStatus as WorksheetStatus
from counseling.models.worksheets import WorksheetTemplate as WorksheetTemplate
