/* Move the comment form under the comment being replied to. */
var addComment = {
	moveForm: function( commId, parentId, respondId, postId ) {
		var comm = document.getElementById( commId ), respond = document.getElementById( respondId ),
			parent = document.getElementById( 'comment_parent' );
		if ( ! comm || ! respond || ! parent ) return true;
		comm.parentNode.insertBefore( respond, comm.nextSibling );
		parent.value = parentId;
		return false;
	}
};
